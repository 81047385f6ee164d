'use strict'
// Remote JWKS through a real loopback HTTP server running on the SAME event loop as the test:
// a verification that fetches only succeeds if the fetch runs off the event loop (the sync
// `verify` would deadlock here), so cold-cache verifications use `verifyAsync` /
// `verifyTokenAsync` / `refreshAsync`. Keys rotate during the tests; discovery, failures, the
// status object, interop with `jose`, bad input and URL secrets in string forms.

const test = require('node:test')
const assert = require('node:assert/strict')

const { portcullis, throwsUnknownOption } = require('../test-support/helpers')
const { startServer, closedPort } = require('../test-support/http-server')
const { JwksClient, JwtKey, JwtKeySet, JwtVerifier, Request, jwtEncode } = portcullis

const ISS = 'https://issuer.test'
const now = () => Math.floor(Date.now() / 1000)
const claims = (extra = {}) => ({ sub: 'user-1', iss: ISS, iat: now(), exp: now() + 600, scope: 'orders:read', ...extra })
const CONFIG = { issuers: [ISS] }

function jwksOf(...keys) {
  const set = new JwtKeySet()
  for (const key of keys) set.insert(key)
  return JSON.stringify(set.publicJwks())
}

const json = (body, headers = []) => ({ status: 200, headers: [['content-type', 'application/json'], ...headers], body })

async function rejectsCode(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.code, code, `${err.code}: ${err.detail || err.message}`)
    return true
  })
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const servers = []
async function server(routes) {
  const s = await startServer(routes)
  servers.push(s)
  return s
}
test.after(() => Promise.all(servers.map((s) => s.close())))

const key1 = JwtKey.generate('ES256')
const key2 = JwtKey.generate('EdDSA')
const token1 = () => jwtEncode(claims(), key1)
const token2 = () => jwtEncode(claims(), key2)

test.describe('JwksClient over loopback HTTP', () => {
  test('cold cache: verifyTokenAsync while the same event loop serves the JWKS', async () => {
    const s = await server({ '/jwks': json(jwksOf(key1)) })
    const client = new JwksClient({ url: `${s.base}/jwks` })
    assert.equal(client.status().state, 'empty')
    const verifier = new JwtVerifier(client, CONFIG)
    const principal = await verifier.verifyTokenAsync(token1(), { scopes: ['orders:read'] })
    assert.equal(principal.subject, 'user-1')
    assert.equal(principal.credentialId, key1.kid)
    assert.equal(s.requests, 1)
    // Warm now: the sync forms answer from the cache without I/O.
    assert.equal(verifier.verifyToken(token1()).subject, 'user-1')
    assert.equal(s.requests, 1)
  })

  test('cold cache: verifyAsync(request, scopes)', async () => {
    const s = await server({ '/jwks': json(jwksOf(key1)) })
    const verifier = new JwtVerifier(new JwksClient({ url: `${s.base}/jwks` }), CONFIG)
    const request = (token) =>
      new Request({ method: 'GET', target: '/orders', headers: [['Authorization', `Bearer ${token}`]] })
    const principal = await verifier.verifyAsync(request(token1()), ['orders:read'])
    assert.equal(principal.method, 'jwt')
    await rejectsCode(verifier.verifyAsync(request(token1()), ['orders:write']), 'scope_insufficient')
    await rejectsCode(verifier.verifyAsync(request('not.a.token')), 'jwt_malformed')
    await assert.rejects(verifier.verifyAsync(new Request({ method: 'GET', target: '/' })), (err) => {
      assert.match(err.code, /missing/)
      assert.match(err.challenge, /^Bearer/)
      return true
    })
    assert.equal(s.requests, 1)
  })

  test('the event loop keeps running during a slow fetch', async () => {
    const s = await server({ '/jwks': { ...json(jwksOf(key1)), delayMs: 300 } })
    const verifier = new JwtVerifier(new JwksClient({ url: `${s.base}/jwks` }), CONFIG)
    let ticks = 0
    const timer = setInterval(() => (ticks += 1), 20)
    try {
      assert.equal((await verifier.verifyTokenAsync(token1())).subject, 'user-1')
    } finally {
      clearInterval(timer)
    }
    assert.ok(ticks >= 5, `event loop ticks during the fetch: ${ticks}`)
  })

  test('keys rotate: the new kid verifies after the kid-miss refetch', async () => {
    const s = await server({ '/jwks': json(jwksOf(key1)) })
    const client = new JwksClient({ url: `${s.base}/jwks`, kidMissCooldownSeconds: 1 })
    const verifier = new JwtVerifier(client, CONFIG)
    assert.equal((await verifier.verifyTokenAsync(token1())).subject, 'user-1')
    s.set('/jwks', json(jwksOf(key2)))
    // Within the cooldown the unknown kid is refused without a fetch storm; once it has
    // passed, one refetch finds the new key. Bounded: at most 5 s.
    const deadline = Date.now() + 5000
    let result
    while (Date.now() < deadline) {
      try {
        result = await verifier.verifyTokenAsync(token2())
        break
      } catch (err) {
        assert.equal(err.code, 'jwt_key_unknown', err.detail)
        await sleep(200)
      }
    }
    assert.ok(result, 'the rotated key verified within 5 s')
    assert.equal(result.credentialId, key2.kid)
    assert.deepEqual(client.status().kids, [key2.kid])
    assert.ok(s.requests >= 2 && s.requests <= 4, `requests: ${s.requests}`)
    // The retired key is gone with the old set.
    await rejectsCode(verifier.verifyTokenAsync(token1()), 'jwt_key_unknown')
  })

  test('keys rotate: refreshAsync picks up the new set at once', async () => {
    const s = await server({ '/jwks': json(jwksOf(key1)) })
    const client = new JwksClient({ url: `${s.base}/jwks` })
    const verifier = new JwtVerifier(client, CONFIG)
    await client.refreshAsync()
    assert.equal(verifier.verifyToken(token1()).subject, 'user-1')
    s.set('/jwks', json(jwksOf(key1, key2)))
    await client.refreshAsync()
    assert.deepEqual(client.status().kids.sort(), [key1.kid, key2.kid].sort())
    assert.equal(verifier.verifyToken(token2()).credentialId, key2.kid)
    assert.equal(s.requests, 2)
  })

  test('status object', async () => {
    const s = await server({ '/jwks?tenant=a': json(jwksOf(key1, key2), [['cache-control', 'max-age=900']]) })
    const client = JwksClient.fromJson(JSON.stringify({ url: `${s.base}/jwks?tenant=a` }))
    const before = client.status()
    assert.deepEqual(before, {
      state: 'empty',
      issuer: null,
      jwksUri: `${s.base}/jwks`,
      keys: 0,
      kids: [],
      fetchedAt: null,
      expiresAt: null,
      staleUntil: null,
      lastAttemptAt: null,
      fetchCount: 0,
      failureCount: 0,
      lastError: null,
      fetching: false,
    })
    const t0 = now()
    await client.refreshAsync()
    const st = client.status()
    assert.equal(st.state, 'fresh')
    assert.equal(st.keys, 2)
    assert.deepEqual(st.kids.sort(), [key1.kid, key2.kid].sort())
    assert.ok(Math.abs(st.fetchedAt - t0) <= 2)
    assert.ok(Math.abs(st.expiresAt - st.fetchedAt - 900) <= 1, `expiresAt ${st.expiresAt - st.fetchedAt}`)
    assert.equal(st.staleUntil, st.expiresAt + 86400)
    assert.equal(typeof st.lastAttemptAt, 'number')
    assert.equal(st.fetchCount, 1)
    assert.equal(st.failureCount, 0)
    assert.equal(st.lastError, null)
    assert.equal(st.fetching, false)
    assert.deepEqual(s.paths, ['/jwks?tenant=a'])
  })

  test('discovery via issuer (OpenID and RFC 8414)', async () => {
    for (const [discovery, wellKnown] of [
      [undefined, '/.well-known/openid-configuration'],
      ['oauth-authorization-server', '/.well-known/oauth-authorization-server'],
    ]) {
      const s = await server({})
      s.set(wellKnown, json(JSON.stringify({ issuer: s.base, jwks_uri: `${s.base}/keys` })))
      s.set('/keys', json(jwksOf(key1)))
      const client = new JwksClient({ issuer: s.base, discovery })
      assert.equal(client.status().issuer, s.base)
      assert.equal(client.status().jwksUri, null)
      assert.equal(s.requests, 0, 'no I/O at construction')
      const verifier = JwtVerifier.fromJson(JSON.stringify({ issuers: [ISS] }), client)
      assert.equal((await verifier.verifyTokenAsync(token1())).subject, 'user-1')
      assert.equal(client.status().jwksUri, `${s.base}/keys`)
      assert.deepEqual(s.paths, [wellKnown, '/keys'])
    }
  })

  test('discovery document for another issuer', async () => {
    const s = await server({})
    s.set('/.well-known/openid-configuration', json(JSON.stringify({ issuer: 'https://evil.test', jwks_uri: `${s.base}/keys` })))
    const client = new JwksClient({ issuer: s.base })
    await rejectsCode(client.refreshAsync(), 'jwt_discovery_invalid')
    await rejectsCode(new JwtVerifier(client).verifyTokenAsync(token1()), 'jwt_discovery_invalid')
  })

  test('endpoint down: jwt_jwks_unavailable', async () => {
    const port = await closedPort()
    const client = new JwksClient({ url: `http://127.0.0.1:${port}/jwks`, connectTimeoutMs: 1000, timeoutMs: 2000 })
    const verifier = new JwtVerifier(client, CONFIG)
    await assert.rejects(verifier.verifyTokenAsync(token1()), (err) => {
      assert.equal(err.code, 'jwt_jwks_unavailable')
      assert.equal(err.httpStatus, 503)
      assert.equal(err.category, 'jwt')
      return true
    })
    await rejectsCode(client.refreshAsync(), 'jwt_jwks_unavailable')
    assert.throws(() => client.refresh(), { code: 'jwt_jwks_unavailable' })
    const st = client.status()
    assert.equal(st.state, 'empty')
    assert.ok(st.failureCount >= 2)
    assert.equal(st.lastError.code, 'jwt_jwks_unavailable')
    assert.equal(typeof st.lastError.detail, 'string')
    assert.equal(typeof st.lastError.at, 'number')
  })

  test('server errors and bad documents', async () => {
    const s = await server({
      '/500': { status: 500, body: 'oops' },
      '/garbage': json('{"keys": [nope'),
      '/not-jwks': json('{"hello": 1}'),
    })
    await rejectsCode(new JwksClient({ url: `${s.base}/500` }).refreshAsync(), 'jwt_jwks_unavailable')
    await rejectsCode(new JwksClient({ url: `${s.base}/missing` }).refreshAsync(), 'jwt_jwks_unavailable')
    await rejectsCode(new JwksClient({ url: `${s.base}/garbage` }).refreshAsync(), 'jwt_jwks_invalid')
    await rejectsCode(new JwksClient({ url: `${s.base}/not-jwks` }).refreshAsync(), 'jwt_jwks_invalid')
  })

  test('a set that failed to refresh is served stale', async () => {
    const s = await server({ '/jwks': json(jwksOf(key1)) })
    const client = new JwksClient({ url: `${s.base}/jwks`, kidMissCooldownSeconds: 1 })
    await client.refreshAsync()
    s.set('/jwks', { status: 503, body: 'down' })
    await rejectsCode(client.refreshAsync(), 'jwt_jwks_unavailable')
    assert.equal(new JwtVerifier(client, CONFIG).verifyToken(token1()).subject, 'user-1')
    assert.equal(client.status().lastError.code, 'jwt_jwks_unavailable')
  })
})

test.describe('jose signs, JwksClient verifies', () => {
  let jose
  test.before(async () => {
    jose = await import('jose')
  })
  for (const alg of ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA']) {
    test(alg, async () => {
      const { publicKey, privateKey } = await jose.generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {})
      const jwk = { ...(await jose.exportJWK(publicKey)), kid: `jose-${alg}`, alg, use: 'sig' }
      const s = await server({ '/jwks': json(JSON.stringify({ keys: [jwk] })) })
      const verifier = new JwtVerifier(new JwksClient({ url: `${s.base}/jwks`, algorithms: [alg] }), CONFIG)
      const token = await new jose.SignJWT(claims())
        .setProtectedHeader({ alg, kid: `jose-${alg}`, typ: 'JWT' })
        .sign(privateKey)
      const principal = await verifier.verifyTokenAsync(token)
      assert.equal(principal.subject, 'user-1')
      assert.equal(principal.credentialId, `jose-${alg}`)
      // A token signed by another key under the same kid fails.
      const other = await jose.generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {})
      const forged = await new jose.SignJWT(claims()).setProtectedHeader({ alg, kid: `jose-${alg}` }).sign(other.privateKey)
      await rejectsCode(verifier.verifyTokenAsync(forged), 'jwt_signature_invalid')
    })
  }
})

test.describe('bad input', () => {
  const typeError = (fn) =>
    assert.throws(fn, (err) => {
      assert.equal(err.number, undefined, `${err.code}: ${err.message}`)
      return true
    })
  test('JwksClient options', () => {
    typeError(() => new JwksClient())
    typeError(() => new JwksClient('http://127.0.0.1/jwks'))
    throwsUnknownOption(
      () => new JwksClient({ url: 'http://127.0.0.1/jwks', kid_miss_cooldown_seconds: 1 }),
      'kid_miss_cooldown_seconds',
    )
    typeError(() => new JwksClient({ url: 'http://127.0.0.1/jwks', timeoutMs: Infinity }))
    assert.throws(() => new JwksClient({}), { code: 'config_invalid' })
    assert.throws(() => new JwksClient({ url: 'http://example.com/jwks' }), { code: 'config_invalid' })
    assert.throws(() => new JwksClient({ url: 'ftp://127.0.0.1/jwks' }), { code: 'config_invalid' })
    assert.throws(() => new JwksClient({ url: 'http://127.0.0.1/a', issuer: 'http://127.0.0.1' }), { code: 'config_invalid' })
    assert.throws(() => new JwksClient({ url: 'http://127.0.0.1/a', algorithms: ['HS256'] }), { code: 'config_invalid' })
    assert.throws(() => new JwksClient({ url: 'http://127.0.0.1/a', kidMissCooldownSeconds: 0 }), { code: 'config_invalid' })
    assert.throws(() => new JwksClient({ url: 'http://127.0.0.1/a', minTtlSeconds: -1 }), { code: 'json_invalid' })
    assert.throws(() => new JwksClient({ url: 'http://127.0.0.1/a', discovery: 'webfinger' }), { code: 'json_invalid' })
    assert.throws(() => new JwksClient({ url: 'http://127.0.0.1/a', caPem: 'not a pem' }), (e) => typeof e.number === 'number')
  })
  test('JwksClient.fromJson', () => {
    assert.throws(() => JwksClient.fromJson('{'), { code: 'json_invalid' })
    assert.throws(() => JwksClient.fromJson('{"url": "http://127.0.0.1/a", "bogus": 1}'), { code: 'json_invalid' })
    typeError(() => JwksClient.fromJson({ url: 'http://127.0.0.1/a' }))
  })
  test('JwtVerifier keys argument', () => {
    typeError(() => new JwtVerifier())
    typeError(() => new JwtVerifier({ keys: [] }))
    typeError(() => new JwtVerifier(key1))
    typeError(() => JwtVerifier.fromJson('{}', 'http://127.0.0.1/jwks'))
    assert.throws(() => new JwtVerifier(new JwtKeySet(), { requireCertificateBinding: 'yes' }), { code: 'json_invalid' })
  })
  test('verifyAsync arguments', () => {
    const verifier = new JwtVerifier(new JwtKeySet())
    typeError(() => verifier.verifyAsync({ method: 'GET', target: '/' }))
    typeError(() => verifier.verifyAsync(new Request({ method: 'GET', target: '/' }), 'orders:read'))
  })
  test('exports', () => {
    assert.equal(portcullis.jwt.JwksClient, JwksClient)
    assert.equal(typeof portcullis.peerCertificates, 'function')
  })
  test('the URL query stays out of string forms and status', () => {
    const client = new JwksClient({ url: 'https://idp.example/jwks?api_key=s3cr3t' })
    assert.doesNotMatch(String(client), /s3cr3t/)
    assert.doesNotMatch(JSON.stringify(client.status()), /s3cr3t/)
    assert.match(String(client), /idp\.example/)
  })
})
