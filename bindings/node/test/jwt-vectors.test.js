'use strict'
// Runs EVERY case of tests/vectors/jwt.json through the Node binding, one test per case id. An
// unknown `op` fails. Verifiers are built both ways (the camelCase options object and
// `fromJson`), and `verify` cases run through both `verifyToken` and `verifyTokenAsync`: every
// path must agree with the vector. JWKs and JWKS documents go in as objects on one path and as
// JSON text on the other.

const test = require('node:test')
const assert = require('node:assert/strict')

const { portcullis, loadVectors, camelize, outcome, outcomeAsync, checkPrincipal, checkFields, checkOutcome } =
  require('../test-support/helpers')
const { JwtKey, JwtKeySet, JwtVerifier, jwtEncode, jwkThumbprint } = portcullis

const WAYS = ['options', 'fromJson']

/** One key entry of a vector -> JwtKey (`asText`: JWKs as JSON text). */
function keyOf(entry, asText) {
  if ('jwk' in entry) return JwtKey.fromJwk(asText ? JSON.stringify(entry.jwk) : entry.jwk, entry.alg)
  if ('pem' in entry) return JwtKey.fromPem(entry.pem, entry.alg, entry.kid)
  if ('secret_b64' in entry) return JwtKey.fromSecret(Buffer.from(entry.secret_b64, 'base64'), entry.alg, entry.kid)
  throw new Error(`unknown key entry: ${Object.keys(entry).join(', ')}`)
}

function keysetOf(entries, asText) {
  const keyset = new JwtKeySet()
  for (const entry of entries) {
    if ('jwks' in entry) keyset.addJwks(asText ? JSON.stringify(entry.jwks) : entry.jwks)
    else keyset.insert(keyOf(entry, asText))
  }
  return keyset
}

function verifierOf(input, now, how) {
  const keyset = keysetOf(input.keys, how === 'fromJson')
  const verifier =
    how === 'options'
      ? new JwtVerifier(keyset, camelize(input.config))
      : JwtVerifier.fromJson(JSON.stringify(input.config), keyset)
  for (const jti of input.revoked || []) verifier.revoke(jti, now + 86400, now)
  return verifier
}

/** Errors thrown while converting an options object (before the core) have no `number`. */
function check(c, how, result, checkOk) {
  try {
    const conversionRefusal =
      how === 'options' && c.expect.error === 'json_invalid' && result.error && result.error.number === undefined
    if (!conversionRefusal) checkOutcome(result, c.expect, checkOk)
  } catch (e) {
    e.message = `[${how}] ${e.message}`
    throw e
  }
}

const OPS = {
  async verify(c) {
    const { input, now } = c
    for (const how of WAYS) {
      const options = { now, scopes: input.scopes || [] }
      check(c, `${how} verifyToken`, outcome(() => verifierOf(input, now, how).verifyToken(input.token, options)), checkPrincipal)
      const result = await outcomeAsync(() => verifierOf(input, now, how).verifyTokenAsync(input.token, options))
      check(c, `${how} verifyTokenAsync`, result, checkPrincipal)
    }
  },
  async verify_jws(c) {
    const { input, now } = c
    for (const how of WAYS) {
      const result = outcome(() => {
        const jws = verifierOf(input, now, how).verifyJws(input.token)
        assert.ok(Buffer.isBuffer(jws.payload), 'payload is a Buffer')
        assert.equal(typeof jws.header, 'object')
        assert.equal(jws.header.alg, jws.alg)
        return { alg: jws.alg, kid: jws.kid, payload_b64: jws.payload.toString('base64') }
      })
      check(c, how, result, checkFields)
    }
  },
  async sign(c) {
    const { input } = c
    for (const how of WAYS) {
      const result = outcome(() => {
        const key = keyOf(input.key, how === 'fromJson')
        const claims = how === 'fromJson' ? JSON.stringify(input.claims) : input.claims
        return { token: jwtEncode(claims, key, camelize(input.header)) }
      })
      check(c, how, result, checkFields)
    }
  },
  async thumbprint(c) {
    for (const [how, jwk] of [
      ['object', c.input.jwk],
      ['text', JSON.stringify(c.input.jwk)],
    ]) {
      check(c, how, outcome(() => ({ thumbprint: jwkThumbprint(jwk) })), checkFields)
    }
  },
}

test.describe('jwt.json', () => {
  const cases = loadVectors('jwt.json')
  test('has cases', () => assert.ok(cases.length >= 172))
  const ids = new Set()
  for (const c of cases) {
    test(c.id, async () => {
      assert.ok(!ids.has(c.id), `duplicate case id ${c.id}`)
      ids.add(c.id)
      const op = OPS[c.input.op]
      assert.ok(op, `unknown op ${c.input.op}`)
      await op(c)
    })
  }
})
