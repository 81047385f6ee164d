'use strict'
// The `oauth2` method from Node: an OAuth 2.0 resource server as a generic Verifier. Remote key
// sets are real HTTP servers on loopback on the SAME event loop, so a verification that fetches
// only succeeds through `verifyAsync`. The request rules are oauth_rs.json's
// (gate-vectors.test.js).

const test = require('node:test')
const assert = require('node:assert/strict')

const { portcullis } = require('../test-support/helpers')
const { startServer } = require('../test-support/http-server')
const { JwtKey, JwtKeySet, Request, Verifier, jwtEncode } = portcullis

const RESOURCE = 'https://api.example.com'
const now = () => Math.floor(Date.now() / 1000)
const key = JwtKey.generate('ES256')
let serial = 0

function tokenFor(extra = {}) {
  const claims = {
    iss: 'https://as.example', sub: 'user-1', aud: RESOURCE, client_id: 'client-1',
    iat: now() - 10, exp: now() + 300, jti: `jti-${++serial}`, scope: 'items:read', ...extra,
  }
  return jwtEncode(claims, key, { typ: 'at+jwt' })
}

const staticIssuer = () => ({
  issuer: 'https://as.example',
  keys: { static: [{ alg: 'ES256', kid: key.kid, jwk: key.publicJwk() }] },
})

function verifier(issuers, extra = {}) {
  const config = { method: 'oauth2', resource: RESOURCE, issuers, ...extra }
  return Verifier.fromJson(JSON.stringify(config), { secrets: { nonce: 'n'.repeat(32) } })
}

const request = (headers = []) => new Request({ method: 'GET', target: '/v1/items', headers, now: now() })
const bearer = (token) => request([['Authorization', `Bearer ${token}`]])

function throwsCode(fn, code) {
  let caught
  assert.throws(fn, (err) => {
    assert.equal(err.code, code, `${err.code}: ${err.detail}`)
    caught = err
    return true
  })
  return caught
}

test('a token of a listed issuer is a principal', () => {
  const v = verifier([staticIssuer()])
  assert.equal(v.method, 'oauth2')
  const p = v.verify(bearer(tokenFor({ roles: ['reader'] })), ['items:read'])
  assert.equal(p.subject, 'user-1')
  assert.equal(p.method, 'oauth2')
  assert.equal(p.credentialId, 'client-1')
  assert.deepEqual(p.scopes, ['items:read'])
  assert.deepEqual(p.claims.roles, ['reader'])
})

test('challenges, the metadata document and the DPoP-Nonce header', () => {
  const v = verifier([staticIssuer()], {
    dpop: { algorithms: ['ES256'], nonce: { secret: 'secret:nonce', step_seconds: 60 } },
    metadata: { scopes_supported: ['items:read'] },
  })
  const meta = `resource_metadata="${RESOURCE}/.well-known/oauth-protected-resource"`
  assert.equal(v.challenge, `Bearer realm="api", ${meta}, DPoP realm="api", algs="ES256", ${meta}`)
  const doc = JSON.parse(v.resourceMetadata)
  assert.equal(doc.resource, RESOURCE)
  assert.deepEqual(doc.authorization_servers, ['https://as.example'])
  assert.deepEqual(doc.scopes_supported, ['items:read'])
  const err = throwsCode(() => v.verify(request()), 'credentials_missing')
  assert.equal(err.httpStatus, 401)
  assert.ok(err.challenge.startsWith('Bearer realm="api"'))
  assert.equal(err.headers.length, 1)
  assert.equal(err.headers[0][0], 'DPoP-Nonce')
  assert.ok(err.headers[0][1].length >= 16)
  const scope = throwsCode(() => v.verify(bearer(tokenFor()), ['items:write']), 'scope_insufficient')
  assert.equal(scope.httpStatus, 403)
  assert.deepEqual(scope.headers, [])
  assert.ok(scope.challenge.includes('error="insufficient_scope", scope="items:write"'))
})

test('other methods have no metadata document and no extra headers', () => {
  const jwt = Verifier.fromJson(
    JSON.stringify({ method: 'jwt', audiences: ['a'], keys: { static: [{ alg: 'HS256', secret: 'secret:s' }] } }),
    { secrets: { s: 's'.repeat(32) } },
  )
  assert.equal(jwt.resourceMetadata, null)
  assert.equal(jwt.challenge, 'Bearer realm="api"')
  const err = throwsCode(() => jwt.verify(request()), 'credentials_missing')
  assert.deepEqual(err.headers, [])
})

test('oauth refusals carry the oauth category', () => {
  const v = verifier([staticIssuer()])
  const opaque = throwsCode(() => v.verify(bearer('an-opaque-token')), 'oauth_issuer_unknown')
  assert.equal(opaque.category, 'oauth')
  throwsCode(() => v.verify(bearer(tokenFor({ cnf: { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' } }))), 'oauth_binding_mismatch')
})

test('an unlisted issuer is never fetched; a listed one is, off the event loop', async () => {
  const set = new JwtKeySet()
  set.insert(key)
  const jwks = JSON.stringify(set.publicJwks())
  const route = { status: 200, headers: [['content-type', 'application/json']], body: jwks }
  const listed = await startServer({ '/jwks': route })
  const unlisted = await startServer({ '/jwks': route })
  try {
    const v = verifier([{ issuer: 'https://as.example', keys: { remote: { url: `${listed.base}/jwks` } } }])
    await assert.rejects(v.verifyAsync(bearer(tokenFor({ iss: unlisted.base }))), (err) => {
      assert.equal(err.code, 'oauth_issuer_unknown')
      return true
    })
    assert.equal(unlisted.requests, 0)
    assert.equal(listed.requests, 0)
    const p = await v.verifyAsync(bearer(tokenFor()), ['items:read'])
    assert.equal(p.subject, 'user-1')
    assert.equal(listed.requests, 1)
  } finally {
    await listed.close()
    await unlisted.close()
  }
})

const introspectingVerifier = (server) => verifier([{
  issuer: 'https://as.example',
  introspection: {
    endpoint: `${server.base}/introspect`, client_id: 'api', client_secret: 'secret:nonce',
    connect_timeout_ms: 500, timeout_ms: 500,
  },
}])

const activeBody = (extra = {}) => JSON.stringify({
  active: true, sub: 'user-9', client_id: 'client-3', scope: 'items:read', exp: now() + 600,
  iss: 'https://as.example', aud: RESOURCE, ...extra,
})
const jsonReply = (body, status = 200, type = 'application/json') => ({ status, headers: [['content-type', type]], body })

test('an opaque token is introspected once, off the event loop, then cached', async () => {
  const server = await startServer({ '/introspect': jsonReply(activeBody()) })
  try {
    const v = introspectingVerifier(server)
    for (let i = 0; i < 3; i++) {
      const p = await v.verifyAsync(bearer('opaque-token-1'), ['items:read'])
      assert.equal(p.subject, 'user-9')
      assert.equal(p.credentialId, 'client-3')
    }
    assert.equal(server.posts.length, 1)
    assert.ok(server.posts[0].body.includes('token=opaque-token-1'))
    assert.ok(server.posts[0].authorization.startsWith('Basic '))
  } finally {
    await server.close()
  }
})

test('what the endpoint answers decides; a failing endpoint is a 503', async () => {
  const cases = [
    [jsonReply('{"active": false}'), 'oauth_token_inactive', 401],
    [jsonReply('oops', 500, 'text/plain'), 'oauth_introspection_unavailable', 503],
    [jsonReply('<html>', 200, 'text/html'), 'oauth_introspection_invalid', 503],
    [{ status: 302, headers: [['location', 'https://evil.example/']], body: '' }, 'oauth_introspection_unavailable', 503],
    [jsonReply('{"active": "yes"}'), 'oauth_introspection_invalid', 503],
    [{ ...jsonReply(activeBody()), delayMs: 1500 }, 'oauth_introspection_unavailable', 503],
  ]
  for (const [reply, code, status] of cases) {
    const server = await startServer({ '/introspect': reply })
    try {
      const v = introspectingVerifier(server)
      await assert.rejects(v.verifyAsync(bearer('opaque-token-2')), (err) => {
        assert.equal(err.code, code)
        assert.equal(err.httpStatus, status)
        assert.equal(err.category, 'oauth')
        return true
      })
    } finally {
      await server.close()
    }
  }
})
