'use strict'
// DPoP proofs (RFC 9449): EVERY case of tests/vectors/dpop.json through the Node binding (each
// case with a verifier built both ways: the camelCase options object and `fromJson`), then
// proofs made by oauth4webapi (an independent client: its `DPoP()` handle and
// `protectedResourceRequest`, whose request is answered here by a resource server that checks
// it as a `Request`), nonce rotation and the error objects.

const test = require('node:test')
const assert = require('node:assert/strict')

const { portcullis, loadVectors, camelize, buildRequest } = require('../test-support/helpers')
const { DpopVerifier, Request, jwkThumbprint } = portcullis

const CASES = loadVectors('dpop.json')
const URI = 'https://api.example.com/orders'
const SECRET = 'node-dpop-nonce-secret-0123456789abcdef'

function proofObject(p) {
  return { thumbprint: p.thumbprint, jti: p.jti, iat: p.iat, algorithm: p.algorithm, nonce: p.nonce }
}

function runStep(verifier, step) {
  try {
    switch (step.op) {
      case 'load':
        return { ok: {} }
      case 'verify':
        return { ok: proofObject(verifier.verify(step.proof, step.method, step.uri, step.access_token, step.now)) }
      case 'verify_request':
        return {
          ok: proofObject(
            verifier.verifyRequest(buildRequest(step.request, step.now), step.access_token, step.origin),
          ),
        }
      case 'nonce':
        return { ok: { nonce: verifier.nonce(step.now) } }
      case 'algs':
        return { ok: { algs: verifier.algorithmsParam } }
      case 'thumbprint':
        return { ok: { thumbprint: jwkThumbprint(step.jwk) } }
      default:
        throw new Error(`unknown op ${step.op}`)
    }
  } catch (error) {
    if (typeof error.code !== 'string' || !error.code.includes('_')) throw error
    return { error: error.code }
  }
}

test('dpop.json is large and mostly refusals', () => {
  const refusals = CASES.filter((c) => 'error' in c.steps[c.steps.length - 1].expect)
  assert.ok(CASES.length >= 75 && refusals.length * 3 >= CASES.length * 2)
})

for (const c of CASES) {
  for (const how of ['options', 'fromJson']) {
    test(`dpop.json ${c.id} (${how})`, () => {
      let verifier
      try {
        verifier = how === 'options' ? new DpopVerifier(camelize(c.config)) : DpopVerifier.fromJson(JSON.stringify(c.config))
      } catch (error) {
        assert.deepEqual(c.steps.map((s) => s.op), ['load'])
        assert.deepEqual({ error: error.code }, c.steps[0].expect)
        return
      }
      c.steps.forEach((step, i) => assert.deepEqual(runStep(verifier, step), step.expect, `step ${i}`))
    })
  }
}

// --- oauth4webapi interop -----------------------------------------------------------------------

/** A resource server in-process: oauth4webapi's fetch goes here, the request is checked as a
 * portcullis `Request` and answered with 200, or 401 and the RFC 9449 challenge (with a fresh
 * `DPoP-Nonce` when the proof lacked one). */
function resourceServer(verifier, seen) {
  return async (href, init) => {
    const url = new URL(href)
    const headers = Object.entries(init.headers)
    const request = new Request({ method: init.method, target: url.pathname + url.search, headers: [...headers, ['host', url.host]] })
    const authorization = init.headers.authorization || ''
    const token = authorization.startsWith('DPoP ') ? authorization.slice(5) : undefined
    try {
      const proof = verifier.verifyRequest(request, token)
      seen.push(proof)
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } })
    } catch (error) {
      seen.push(error)
      const out = { 'www-authenticate': `DPoP error="invalid_dpop_proof", algs="${verifier.algorithmsParam}"` }
      if (error.code === 'dpop_nonce_required') {
        out['www-authenticate'] = 'DPoP error="use_dpop_nonce"'
        out['dpop-nonce'] = verifier.nonce()
      }
      return new Response(null, { status: 401, headers: out })
    }
  }
}

for (const alg of ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA']) {
  test(`oauth4webapi proofs verify here (${alg})`, async () => {
    const oauth = await import('oauth4webapi')
    const keyPair = await oauth.generateKeyPair(alg, { extractable: true })
    const dpop = oauth.DPoP({}, keyPair)
    const verifier = new DpopVerifier()
    const seen = []
    const token = 'an-opaque-access-token'
    const url = new URL('https://api.example.com/orders?page=2')
    const response = await oauth.protectedResourceRequest(token, 'GET', url, new Headers(), null, {
      DPoP: dpop,
      [oauth.customFetch]: resourceServer(verifier, seen),
    })
    assert.equal(response.status, 200, String(seen[0] && seen[0].message))
    assert.equal(seen.length, 1)
    const proof = seen[0]
    assert.equal(proof.algorithm, alg)
    assert.equal(proof.thumbprint, await dpop.calculateThumbprint())
    assert.equal(proof.nonce, null)
    assert.ok(Math.abs(proof.iat - Date.now() / 1000) < 60)
  })
}

test('oauth4webapi retries with the server nonce and the nonce is checked', async () => {
  const oauth = await import('oauth4webapi')
  const keyPair = await oauth.generateKeyPair('ES256', { extractable: true })
  const dpop = oauth.DPoP({}, keyPair)
  const verifier = new DpopVerifier({ nonce: { secret: SECRET, stepSeconds: 60 } })
  const seen = []
  const options = { DPoP: dpop, [oauth.customFetch]: resourceServer(verifier, seen) }
  const url = new URL('https://api.example.com/orders')
  const call = () => oauth.protectedResourceRequest('token-1', 'POST', url, new Headers(), null, options)
  let first
  try {
    first = await call()
  } catch (error) {
    assert.ok(oauth.isDPoPNonceError(error), String(error))
  }
  if (first !== undefined) assert.equal(first.status, 401)
  assert.equal(seen[0].code, 'dpop_nonce_required')
  const second = await call()
  assert.equal(second.status, 200)
  assert.equal(seen[1].nonce, verifier.nonce())
})

test('a request with the wrong method or URI is refused', async () => {
  const oauth = await import('oauth4webapi')
  const keyPair = await oauth.generateKeyPair('EdDSA', { extractable: true })
  const dpop = oauth.DPoP({}, keyPair)
  let captured
  await oauth.protectedResourceRequest('t', 'GET', new URL('https://api.example.com/orders'), new Headers(), null, {
    DPoP: dpop,
    [oauth.customFetch]: async (href, init) => {
      captured = init.headers.dpop
      return new Response('{}', { status: 200 })
    },
  })
  const v = new DpopVerifier()
  for (const [method, uri] of [['POST', URI], ['GET', 'https://api.example.com/other'], ['GET', 'http://api.example.com/orders']]) {
    assert.throws(() => v.verify(captured, method, uri, 't'), { code: 'dpop_proof_mismatch' })
  }
  assert.throws(() => v.verify(captured, 'GET', URI, 'another-token'), { code: 'dpop_proof_mismatch' })
  assert.equal(v.verify(captured, 'GET', URI, 't').algorithm, 'EdDSA')
  assert.throws(() => v.verify(captured, 'GET', URI, 't'), { code: 'dpop_proof_replayed' })
})

// --- the binding itself --------------------------------------------------------------------------

test('nonces rotate and are the same on every instance', () => {
  const a = new DpopVerifier({ nonce: { secret: SECRET, stepSeconds: 60 } })
  const b = DpopVerifier.fromJson(JSON.stringify({ nonce: { secret: SECRET, step_seconds: 60 } }))
  const t = 1750000040 // 20 s into a step
  const n = a.nonce(t)
  assert.match(n, /^[A-Za-z0-9_-]{32}$/)
  assert.equal(b.nonce(t), n)
  assert.equal(a.nonce(t + 39), n)
  assert.notEqual(a.nonce(t + 40), n)
  assert.equal(new DpopVerifier().nonce(t), null)
  assert.equal(typeof a.nonce(), 'string')
  assert.throws(() => a.nonce(1.5), { code: 'invalid_argument' })
})

test('options are the core schema, refusals carry codes and no secret', () => {
  const v = new DpopVerifier({ algorithms: ['EdDSA', 'ES256'], maxAgeSeconds: 60 })
  assert.equal(v.algorithmsParam, 'EdDSA ES256')
  assert.throws(() => new DpopVerifier({ algorithms: ['HS256'] }), { code: 'config_invalid' })
  assert.throws(() => new DpopVerifier({ maxAge: 60 }), { code: 'json_invalid' })
  assert.throws(() => new DpopVerifier({ nonce: { secret: 'short' } }), (error) => {
    assert.equal(error.code, 'config_invalid')
    assert.ok(!error.message.includes('short'))
    return true
  })
  assert.throws(() => v.verify('not.a.proof', 'GET', URI), (error) => {
    assert.equal(error.code, 'dpop_proof_invalid')
    assert.equal(error.httpStatus, 401)
    assert.equal(error.category, 'oauth')
    return true
  })
  const request = new Request({ method: 'GET', target: '/orders', headers: [['host', 'api.example.com']] })
  assert.throws(() => v.verifyRequest(request), { code: 'dpop_proof_missing' })
  assert.throws(() => v.verify('x', 'GET', URI, undefined, Number.NaN), { code: 'invalid_argument' })
})
