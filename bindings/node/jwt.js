'use strict'
// The `jwt` namespace: short names for the JWT API of the native binding, and `decode`.
// Plain re-exports; every rule is the core's.
//
// It also gives `JwtVerifier.prototype.verifyToken` and `verify` a cheaper way back to
// JavaScript: the native `_verifyTokenWith` / `_verifyCompact` (hidden, not in the typings)
// take `now` and `scopes` as plain arguments (and `_verifyTokenWith` the verifier as an
// external handle, cheaper to pass than `this`) and return the verified principal as the JSON
// text of its six values (see `principal.js`),
// which `JSON.parse` turns into the `Principal` object far faster than N-API can set the
// claims one by one. It is the object the native methods return (same fields, same order,
// same values); any argument the fast path does not expect goes to the native method
// itself, so errors are unchanged too.

const { JwksClient, JwtKey, JwtKeySet, JwtVerifier, jwtEncode } = require('./index.js')
const { principalOf } = require('./principal.js')

const nativeVerifyToken = JwtVerifier.prototype.verifyToken
const nativeVerify = JwtVerifier.prototype.verify
const verifyTokenWith = JwtVerifier._verifyTokenWith
const verifyCompact = JwtVerifier.prototype._verifyCompact
const handle = JwtVerifier.prototype._handle
/** Where a verifier keeps its `_handle` (made on its first `verifyToken`). */
const HANDLE = Symbol('portcullis.JwtVerifier.handle')
/** The handles of verifiers that take no new property (frozen or sealed by their owner). */
const sealedHandles = new WeakMap()

/** The native handle of `verifier`, made once. */
function handleOf(verifier) {
  let h = verifier[HANDLE]
  if (h !== undefined) return h
  h = sealedHandles.get(verifier)
  if (h !== undefined) return h
  h = handle.call(verifier)
  if (Object.isExtensible(verifier)) Object.defineProperty(verifier, HANDLE, { value: h })
  else sealedHandles.set(verifier, h)
  return h
}

/** True for `undefined` or an array of strings (what the fast path passes on). */
function plainScopes(scopes) {
  if (scopes === undefined) return true
  if (!Array.isArray(scopes)) return false
  for (let i = 0; i < scopes.length; i++) if (typeof scopes[i] !== 'string') return false
  return true
}

if (typeof verifyTokenWith === 'function' && typeof verifyCompact === 'function' && typeof handle === 'function') {
  Object.defineProperty(JwtVerifier.prototype, 'verifyToken', {
    ...Object.getOwnPropertyDescriptor(JwtVerifier.prototype, 'verifyToken'),
    value: function verifyToken(token, options) {
      if (typeof token === 'string' && this instanceof JwtVerifier) {
        if (options === undefined) return principalOf(verifyTokenWith(handleOf(this), token, undefined, undefined))
        if (typeof options === 'object' && options !== null) {
          const { now, scopes } = options
          if ((now === undefined || typeof now === 'number') && plainScopes(scopes)) {
            return principalOf(verifyTokenWith(handleOf(this), token, now, scopes))
          }
        }
      }
      return nativeVerifyToken.call(this, token, options)
    },
  })
  Object.defineProperty(JwtVerifier.prototype, 'verify', {
    ...Object.getOwnPropertyDescriptor(JwtVerifier.prototype, 'verify'),
    value: function verify(request, scopes) {
      if (plainScopes(scopes)) return principalOf(verifyCompact.call(this, request, scopes))
      return nativeVerify.call(this, request, scopes)
    },
  })
}

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
