'use strict'
// The `jwt` namespace: short names for the JWT API of the native binding, and `decode`.
// Plain re-exports; every rule is the core's.

const { JwksClient, JwtKey, JwtKeySet, JwtVerifier, jwtEncode } = require('./index.js')

/**
 * Verifies `token` against `keyset` (a `JwtKeySet` or a warm `JwksClient`: this runs on the
 * calling thread) and returns its claims. `options` holds the verification time and required
 * scopes (`now`, `scopes`) and any `JwtVerifier` option.
 */
function decode(token, keyset, options = {}) {
  const { now, scopes, ...config } = options
  return new JwtVerifier(keyset, config).verifyToken(token, { now, scopes }).claims
}

module.exports = {
  encode: jwtEncode,
  decode,
  Verifier: JwtVerifier,
  KeySet: JwtKeySet,
  Key: JwtKey,
  JwksClient,
}
