'use strict'
// The generic Verifier through the Node binding: jwt, webhook and api_key configurations, the
// principal the method's own verifier gives, and load errors.

const test = require('node:test')
const assert = require('node:assert/strict')

const { portcullis } = require('../test-support/helpers')
const { native } = require('../gate.js')
const { NOW, SECRETS, PEPPER, WHSEC, jwtKey, request, bearer, gate, PRINCIPAL_KEYS } = require('../test-support/gate')
const { Verifier, Request, JwtVerifier, JwtKeySet, ApiKeyRing, WebhookSigner } = portcullis

test('Verifier: jwt from JSON, the principal a JwtVerifier gives', async () => {
  const v = Verifier.fromJson('{"method": "jwt", "audiences": ["api"], "keys": {"static": [{"alg": "HS256", "secret": "secret:jwt"}]}}', { secrets: SECRETS })
  assert.equal(v.method, 'jwt')
  const req = bearer('/', 'a b')
  const keys = new JwtKeySet()
  keys.insert(jwtKey)
  const direct = new JwtVerifier(keys, { audiences: ['api'] }).verify(req)
  const p = v.verify(req, ['a'])
  assert.deepEqual(Object.keys(p), PRINCIPAL_KEYS)
  assert.deepEqual(p, direct)
  assert.deepEqual(p, native.verify.call(v, req, ['a']))
  assert.deepEqual(await v.verifyAsync(req, ['a']), direct)
  assert.throws(() => v.verify(req, ['c']), (e) => e.code === 'scope_insufficient' && e.httpStatus === 403)
  assert.throws(() => v.verify(request('GET', '/')), (e) => e.code === 'credentials_missing' && /^Bearer/.test(e.challenge))
  await assert.rejects(v.verifyAsync(request('GET', '/')), (e) => e.code === 'credentials_missing')
})

test('Verifier: webhook from TOML, replays refused', () => {
  const v = Verifier.fromToml('method = "webhook"\nscheme = "standard"\nsecrets = ["secret:whsec"]\n', { secrets: SECRETS })
  assert.equal(v.method, 'webhook')
  const body = '{"a":1}'
  const headers = new WebhookSigner({ scheme: 'standard', secret: WHSEC }).sign(body, { timestamp: NOW, messageId: 'msg_1' })
  const req = new Request({ method: 'POST', target: '/hook', headers, body: Buffer.from(body), now: NOW })
  const p = v.verify(req)
  assert.equal(p.method, 'hmac')
  assert.equal(p.credentialId !== undefined, true)
  assert.throws(() => v.verify(req), (e) => e.code === 'signature_replayed')
})

test('Verifier: api_key with records, from the gate too', () => {
  const ring = new ApiKeyRing({ pepper: Buffer.from(PEPPER) })
  const issued = ring.generate({ subject: 'svc', scopes: ['read'], now: NOW })
  const config = { method: 'api_key', pepper: 'secret:pepper', records: [JSON.parse(issued.record.toJson())] }
  const v = Verifier.fromJson(JSON.stringify(config), { secrets: SECRETS })
  assert.equal(v.method, 'api_key')
  const req = request('GET', '/', [['x-api-key', issued.key]])
  ring.insert(issued.record)
  assert.deepEqual(v.verify(req, ['read']), ring.verify(req, ['read']))
  assert.equal(v.verify(req, ['read']).subject, 'svc')
  assert.throws(() => v.verify(req, ['write']), (e) => e.code === 'scope_insufficient')

  const g = gate()
  const fromGate = g.verifier('keys')
  assert.ok(fromGate instanceof Verifier)
  assert.equal(fromGate.method, 'api_key')
  assert.equal(g.verifier('nope'), null)
  assert.equal(g.verifier('tokens').verify(bearer('/')).subject, 'alice')
})

test('Verifier load errors name the path, line and column in detail', () => {
  assert.throws(() => Verifier.fromJson('{"method": "jwk"}'), (e) => {
    assert.equal(e.code, 'config_invalid')
    assert.match(e.detail, /^method: unknown method "jwk".*\(line 1, column 12\)$/)
    return true
  })
  assert.throws(() => Verifier.fromToml('method = "webhook"\nsecrets = [\n  "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",\n]\n'), (e) => {
    assert.equal(e.detail, 'secrets[0]: a secret cannot be written in the configuration: use env:NAME, file:PATH or secret:NAME (line 3, column 3)')
    return true
  })
  assert.throws(() => Verifier.fromJson('{"method": "api_key", "pepper": "secret:pepper"}', { pepper: 'x' }), /unknown option `pepper`/)
})
