'use strict'
// Interop with a real authorization server: node-oidc-provider on 127.0.0.1 issues RFC 9068
// access tokens by the client_credentials grant (test-support/oidc-provider.js), and the
// `oauth2` gate method accepts or refuses them, finding the provider's keys by OpenID discovery
// over loopback http. Clients are a plain `fetch` and oauth4webapi (its DPoP proofs, and its
// parser of the gate's `WWW-Authenticate` challenges).
//
// A second provider instance is another issuer the gate is not configured for: its tokens are
// refused by their `iss` before any key is fetched, and every request it receives is counted to
// prove it. Checks that fetch keys use `checkAsync` / `verifyAsync`: the providers run on this
// event loop, so a fetch on it would deadlock.
//
// DPoP-bound tokens are presented with fresh proofs made by oauth4webapi (RFC 9449 7).

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')

const { portcullis } = require('../test-support/helpers')
const { startProvider, RESOURCE, RESOURCE_ES256, RESOURCE_PS256 } = require('../test-support/oidc-provider')
const { Gate, Request, Verifier } = portcullis

const DISCOVERY = '/.well-known/openid-configuration'
const JWKS = '/jwks'
const METADATA = `${RESOURCE}/.well-known/oauth-protected-resource`

/** The `oauth2` credential for the issuers `issuers` (their keys found by discovery). */
function credential(issuers, extra = {}) {
  return {
    method: 'oauth2',
    resource: RESOURCE,
    // DPoP proofs name https://api.example.com/... in htu, whatever Host the request has.
    origin: RESOURCE,
    issuers: issuers.map((issuer) => ({ issuer, keys: { remote: { issuer } } })),
    ...extra,
  }
}

function gateConfig(issuers) {
  return {
    version: 1,
    credentials: { oauth: credential(issuers) },
    routes: [
      { name: 'orders-read', methods: ['GET'], path: '/orders/*', require: 'oauth', scopes: ['orders:read'] },
      { name: 'orders-write', methods: ['POST'], path: '/orders/*', require: 'oauth', scopes: ['orders:write'] },
    ],
  }
}

/** A request to the resource server at RESOURCE. */
function request(method, target, authorization, { now, headers = [] } = {}) {
  const fields = [['Host', 'api.example.com'], ...headers]
  if (authorization !== undefined) fields.push(['Authorization', authorization])
  return new Request({ method, target, headers: fields, now })
}

const decode = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')
const claimsOf = (token) => decode(token.split('.')[1])
const headerOf = (token) => decode(token.split('.')[0])

/** The values of the decision's `WWW-Authenticate` fields. */
const challenges = (decision) => decision.headers.filter(([n]) => n.toLowerCase() === 'www-authenticate').map(([, v]) => v)

/** Asserts a refusal: status and code (the detail in the message when it is another). */
function refused(decision, status, code) {
  assert.equal(decision.allowed, false)
  assert.equal(decision.code, code, `expected ${code}, got ${decision.code}: ${decision.message}`)
  assert.equal(decision.status, status)
  assert.equal(decision.principal, null)
  assert.equal(JSON.parse(decision.problem).code, code)
}

/**
 * oauth4webapi's `customFetch` for requests to RESOURCE: each goes to `gate.checkAsync` instead
 * of the network, answered as a resource server would (the decision's status and headers, its
 * problem body). The decisions are kept.
 */
function resourceServer(gate) {
  const decisions = []
  async function fetch(href, init) {
    const url = new URL(href)
    assert.equal(url.origin, RESOURCE)
    const headers = [['host', url.host], ...Object.entries(init.headers)]
    const decision = await gate.checkAsync(new Request({ method: init.method, target: url.pathname + url.search, headers }))
    decisions.push(decision)
    const body = decision.allowed ? JSON.stringify(decision.principal) : decision.problem
    return new Response(body, { status: decision.status, headers: decision.headers })
  }
  return { fetch, decisions }
}

let providerA
let providerB
let gate
let oauth // oauth4webapi
let jose

test.before(async () => {
  ;[oauth, jose] = await Promise.all([import('oauth4webapi'), import('jose')])
  // One at a time, so that `after` closes whichever started.
  providerA = await startProvider({ clientId: 'svc-billing' })
  providerB = await startProvider({ clientId: 'svc-other' })
  gate = Gate.fromJson(JSON.stringify(gateConfig([providerA.issuer])))
})

test.after(async () => {
  await Promise.all([providerA?.close(), providerB?.close()])
})

test.describe('node-oidc-provider: client_credentials, RFC 9068 access tokens, Bearer', () => {
  let token // orders:read orders:write

  test('the provider issues an RFC 9068 access token for the resource', async () => {
    const response = await providerA.token({ resource: RESOURCE, scope: 'orders:read orders:write' })
    assert.equal(response.token_type, 'Bearer')
    token = response.access_token
    const header = headerOf(token)
    assert.equal(header.typ, 'at+jwt')
    assert.equal(header.alg, 'RS256')
    const claims = claimsOf(token)
    assert.equal(claims.iss, providerA.issuer)
    assert.equal(claims.aud, RESOURCE)
    assert.equal(claims.sub, 'svc-billing')
    assert.equal(claims.client_id, 'svc-billing')
    assert.equal(claims.scope, 'orders:read orders:write')
    for (const name of ['iat', 'exp', 'jti']) assert.ok(name in claims, name)
    assert.equal(providerA.count(DISCOVERY) + providerA.count(JWKS), 0)
  })

  test('allowed: the gate discovers the issuer and fetches its JWKS over loopback, once', async () => {
    const decision = await gate.checkAsync(request('GET', '/orders/7', `Bearer ${token}`))
    assert.equal(decision.allowed, true, `${decision.code}: ${decision.message}`)
    assert.equal(decision.status, 200)
    assert.equal(decision.route, 'orders-read')
    assert.equal(decision.credential, 'oauth')
    const { principal } = decision
    const claims = claimsOf(token)
    assert.equal(principal.subject, 'svc-billing')
    assert.equal(principal.method, 'oauth2')
    assert.deepEqual(principal.scopes, ['orders:read', 'orders:write'])
    assert.equal(principal.claims.client_id, 'svc-billing')
    assert.equal(principal.claims.iss, providerA.issuer)
    assert.equal(principal.claims.jti, claims.jti)
    assert.equal(principal.expiresAt, claims.exp)
    assert.equal(providerA.count(DISCOVERY), 1)
    assert.equal(providerA.count(JWKS), 1)

    // Warm: the sync check answers from the cache, without I/O.
    const again = gate.check(request('POST', '/orders/7', `Bearer ${token}`))
    assert.equal(again.allowed, true, `${again.code}: ${again.message}`)
    assert.equal(again.route, 'orders-write')
    assert.equal(providerA.count(DISCOVERY), 1)
    assert.equal(providerA.count(JWKS), 1)
  })

  test('allowed through oauth4webapi as the client (protectedResourceRequest)', async () => {
    const rs = resourceServer(gate)
    const response = await oauth.protectedResourceRequest(token, 'GET', new URL(`${RESOURCE}/orders/7?expand=items`), undefined, undefined, {
      [oauth.customFetch]: rs.fetch,
    })
    assert.equal(response.status, 200)
    assert.equal((await response.json()).subject, 'svc-billing')
  })

  test('a route needing a scope the token lacks: 403 scope_insufficient', async () => {
    const narrow = (await providerA.token({ resource: RESOURCE, scope: 'orders:read' })).access_token
    assert.equal(claimsOf(narrow).scope, 'orders:read')
    assert.equal((await gate.checkAsync(request('GET', '/orders/7', `Bearer ${narrow}`))).allowed, true)
    const decision = await gate.checkAsync(request('POST', '/orders/7', `Bearer ${narrow}`))
    refused(decision, 403, 'scope_insufficient')
    const [bearer] = challenges(decision)
    assert.match(bearer, /^Bearer realm="api", error="insufficient_scope", scope="orders:write"/)
    assert.ok(bearer.includes(`resource_metadata="${METADATA}"`), bearer)

    // The same challenge as oauth4webapi reads it (RFC 6750 3.1, RFC 9728 5.1).
    const rs = resourceServer(gate)
    await assert.rejects(
      oauth.protectedResourceRequest(narrow, 'POST', new URL(`${RESOURCE}/orders/7`), undefined, undefined, { [oauth.customFetch]: rs.fetch }),
      (err) => {
        assert.ok(err instanceof oauth.WWWAuthenticateChallengeError, err)
        assert.equal(err.status, 403)
        const found = err.cause.find((c) => c.scheme === 'bearer')
        assert.equal(found.parameters.error, 'insufficient_scope')
        assert.equal(found.parameters.scope, 'orders:write')
        assert.equal(found.parameters.resource_metadata, METADATA)
        return true
      },
    )
  })

  test('a token of another provider (issuer not configured): oauth_issuer_unknown, nothing fetched from it', async () => {
    const other = (await providerB.token({ resource: RESOURCE, scope: 'orders:read orders:write' })).access_token
    assert.equal(claimsOf(other).iss, providerB.issuer)
    assert.equal(claimsOf(other).aud, RESOURCE)
    const before = { a: providerA.total, b: providerB.total }
    const decision = await gate.checkAsync(request('GET', '/orders/7', `Bearer ${other}`))
    refused(decision, 401, 'oauth_issuer_unknown')
    assert.match(challenges(decision)[0], /^Bearer realm="api", error="invalid_token"/)
    assert.equal(providerB.count(DISCOVERY), 0)
    assert.equal(providerB.count(JWKS), 0)
    assert.equal(providerB.total, before.b, 'the gate sent no request to the unknown issuer')
    assert.equal(providerA.total, before.a, 'nor to the configured one')
  })

  test('the other provider\'s token with its iss rewritten to the configured issuer: refused', async () => {
    const other = (await providerB.token({ resource: RESOURCE })).access_token
    const [h, , s] = other.split('.')
    const forged = `${h}.${encode({ ...claimsOf(other), iss: providerA.issuer })}.${s}`
    const decision = await gate.checkAsync(request('GET', '/orders/7', `Bearer ${forged}`))
    // B's kid is not in A's JWKS: refused before any signature check.
    refused(decision, 401, 'jwt_key_unknown')
    assert.equal(providerB.count(DISCOVERY) + providerB.count(JWKS), 0)
    assert.ok(providerA.count(JWKS) <= 2, 'at most one kid-miss refetch')
  })

  test('an expired token: jwt_expired', async () => {
    const { exp } = claimsOf(token)
    // The leeway is 60 s: well past it.
    const decision = await gate.checkAsync(request('GET', '/orders/7', `Bearer ${token}`, { now: exp + 120 }))
    refused(decision, 401, 'jwt_expired')
    assert.match(challenges(decision)[0], /^Bearer realm="api", error="invalid_token"/)
    // Within the leeway it still passes.
    const late = await gate.checkAsync(request('GET', '/orders/7', `Bearer ${token}`, { now: exp + 30 }))
    assert.equal(late.allowed, true, `${late.code}: ${late.message}`)
  })

  test('tampered tokens: jwt_signature_invalid; alg none and HS256 keyed with the RSA key: jwt_algorithm_refused', async () => {
    const [h, p, s] = token.split('.')
    const claims = claimsOf(token)

    const widened = `${h}.${encode({ ...claims, scope: 'orders:read orders:write orders:admin' })}.${s}`
    refused(await gate.checkAsync(request('GET', '/orders/7', `Bearer ${widened}`)), 401, 'jwt_signature_invalid')

    const signature = Buffer.from(s, 'base64url')
    signature[signature.length >> 1] ^= 0x01
    const flipped = `${h}.${p}.${signature.toString('base64url')}`
    refused(await gate.checkAsync(request('GET', '/orders/7', `Bearer ${flipped}`)), 401, 'jwt_signature_invalid')

    const reaudienced = `${h}.${encode({ ...claims, aud: 'https://other.example.com' })}.${s}`
    refused(await gate.checkAsync(request('GET', '/orders/7', `Bearer ${reaudienced}`)), 401, 'jwt_signature_invalid')

    const none = `${encode({ ...headerOf(token), alg: 'none' })}.${p}.`
    refused(await gate.checkAsync(request('GET', '/orders/7', `Bearer ${none}`)), 401, 'jwt_algorithm_refused')

    // HS256 keyed with the issuer's public RSA key (the classic key-confusion forgery).
    const jwks = await (await fetch(`${providerA.issuer}${JWKS}`)).json()
    const rsa = jwks.keys.find((k) => k.kid === headerOf(token).kid)
    const pem = crypto.createPublicKey({ key: rsa, format: 'jwk' }).export({ type: 'spki', format: 'pem' })
    const hsHeader = encode({ ...headerOf(token), alg: 'HS256' })
    const mac = crypto.createHmac('sha256', pem).update(`${hsHeader}.${p}`).digest('base64url')
    refused(await gate.checkAsync(request('GET', '/orders/7', `Bearer ${hsHeader}.${p}.${mac}`)), 401, 'jwt_algorithm_refused')
  })

  test('an ES256 token for another resource: accepted there, refused here (audience)', async () => {
    const reports = (await providerA.token({ resource: RESOURCE_ES256, scope: 'reports:read' })).access_token
    assert.equal(headerOf(reports).alg, 'ES256')
    assert.equal(claimsOf(reports).aud, RESOURCE_ES256)
    const verifier = Verifier.fromJson(JSON.stringify(credential([providerA.issuer], { resource: RESOURCE_ES256, origin: RESOURCE_ES256 })))
    const target = (t) =>
      new Request({ method: 'GET', target: '/reports/1', headers: [['Host', 'reports.example.com'], ['Authorization', `Bearer ${t}`]] })
    const principal = await verifier.verifyAsync(target(reports), ['reports:read'])
    assert.equal(principal.subject, 'svc-billing')
    assert.deepEqual(principal.scopes, ['reports:read'])
    await assert.rejects(verifier.verifyAsync(target(token)), (err) => {
      assert.equal(err.code, 'jwt_audience_mismatch', `${err.code}: ${err.detail}`)
      return true
    })
    refused(await gate.checkAsync(request('GET', '/orders/7', `Bearer ${reports}`)), 401, 'jwt_audience_mismatch')
  })

  // The provider publishes its RSA key without `alg` (RFC 7517 4.4: optional), and signs with it
  // RS256 for one resource and PS256 for another. The core binds an RSA JWK without `alg` to one
  // algorithm (RS256, or the first RSA one of keys.remote.algorithms), so the PS256 token is
  // refused: jwt_algorithm_refused, "alg is not the algorithm of the selected key".
  // The provider publishes its RSA key without `alg`: the issuer's `algorithms` let it verify
  // PS256 (FAPI 2.0) as well as RS256.
  test('a PS256 token signed by the RSA key that also signs RS256', async () => {
    const ledger = (await providerA.token({ resource: RESOURCE_PS256, scope: 'ledger:read' })).access_token
    assert.equal(headerOf(ledger).alg, 'PS256')
    assert.equal(headerOf(ledger).kid, headerOf(token).kid)
    const config = credential([providerA.issuer], { resource: RESOURCE_PS256, origin: RESOURCE_PS256 })
    config.issuers[0].algorithms = ['RS256', 'PS256', 'ES256']
    const verifier = Verifier.fromJson(JSON.stringify(config))
    const target = (t) =>
      new Request({ method: 'GET', target: '/ledger', headers: [['Host', 'ledger.example.com'], ['Authorization', `Bearer ${t}`]] })
    const principal = await verifier.verifyAsync(target(ledger), ['ledger:read'])
    assert.equal(principal.subject, 'svc-billing')
    // Without the issuer's list the key verifies RS256 only, and the PS256 token is refused.
    const strict = Verifier.fromJson(JSON.stringify(credential([providerA.issuer], { resource: RESOURCE_PS256, origin: RESOURCE_PS256 })))
    await assert.rejects(strict.verifyAsync(target(ledger), ['ledger:read']), (err) => err.code === 'jwt_algorithm_refused')
  })

  test('no token: 401 with the Bearer and DPoP challenges naming the metadata document', async () => {
    const decision = await gate.checkAsync(request('GET', '/orders/7'))
    refused(decision, 401, 'credentials_missing')
    const [bearer, dpop] = challenges(decision)
    assert.equal(bearer, `Bearer realm="api", resource_metadata="${METADATA}"`)
    assert.match(dpop, /^DPoP realm="api", algs="[^"]+", resource_metadata=/)
  })
})

/**
 * A DPoP-bound token from the provider: oauth4webapi discovers the provider, signs a DPoP
 * proof for the token request with `keyPair` and authenticates with client_secret_basic (one
 * retry if the provider asks for a nonce).
 */
async function dpopToken(provider, keyPair, scope = 'orders:read orders:write') {
  const issuer = new URL(provider.issuer)
  const insecure = { [oauth.allowInsecureRequests]: true }
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure))
  const client = { client_id: provider.clientId }
  const DPoP = oauth.DPoP(client, keyPair)
  const auth = oauth.ClientSecretBasic(provider.clientSecret)
  const params = new URLSearchParams({ resource: RESOURCE, scope })
  for (let attempt = 0; ; attempt += 1) {
    const response = await oauth.clientCredentialsGrantRequest(as, client, auth, params, { DPoP, ...insecure })
    try {
      return await oauth.processClientCredentialsResponse(as, client, response)
    } catch (err) {
      if (attempt === 0 && oauth.isDPoPNonceError(err)) continue
      throw err
    }
  }
}

test.describe('node-oidc-provider: DPoP-bound access tokens (RFC 9449)', () => {
  let keyPair
  let bound

  test.before(async () => {
    keyPair = await oauth.generateKeyPair('ES256', { extractable: true })
    bound = await dpopToken(providerA, keyPair)
  })

  test('the provider binds the token to the proof key (cnf.jkt)', async () => {
    assert.equal(bound.token_type.toLowerCase(), 'dpop')
    const claims = claimsOf(bound.access_token)
    const jkt = await jose.calculateJwkThumbprint(await jose.exportJWK(keyPair.publicKey), 'sha256')
    assert.equal(claims.cnf.jkt, jkt)
    assert.equal(headerOf(bound.access_token).typ, 'at+jwt')
  })

  test('the DPoP-bound token sent as Bearer: oauth_binding_mismatch', async () => {
    const decision = await gate.checkAsync(request('GET', '/orders/7', `Bearer ${bound.access_token}`))
    refused(decision, 401, 'oauth_binding_mismatch')
  })

  test('the DPoP-bound token with a fresh proof (oauth4webapi): allowed', async () => {
    const rs = resourceServer(gate)
    const DPoP = oauth.DPoP({ client_id: providerA.clientId }, keyPair)
    const url = new URL(`${RESOURCE}/orders/7`)
    const response = await oauth.protectedResourceRequest(bound.access_token, 'GET', url, undefined, undefined, {
      DPoP,
      [oauth.customFetch]: rs.fetch,
    })
    const [decision] = rs.decisions
    assert.equal(decision.allowed, true, `${decision.code}: ${decision.message}`)
    assert.equal(response.status, 200)
    assert.equal(decision.principal.subject, 'svc-billing')
    assert.equal(decision.principal.claims.cnf.jkt, claimsOf(bound.access_token).cnf.jkt)

    // The same request (headers and proof) once more: a replayed proof.
    const jwk = await jose.exportJWK(keyPair.publicKey)
    const ath = crypto.createHash('sha256').update(bound.access_token).digest('base64url')
    const proof = (claims, key = keyPair.privateKey, publicJwk = jwk) =>
      new jose.SignJWT({ htm: 'GET', htu: `${RESOURCE}/orders/7`, iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID(), ath, ...claims })
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk })
        .sign(key)
    const withProof = (p, target = '/orders/7') => request('GET', target, `DPoP ${bound.access_token}`, { headers: [['DPoP', p]] })

    const once = await proof({})
    const first = await gate.checkAsync(withProof(once))
    assert.equal(first.allowed, true, `${first.code}: ${first.message}`)
    refused(await gate.checkAsync(withProof(once)), 401, 'dpop_proof_replayed')

    // A proof for another URL, or without ath.
    refused(await gate.checkAsync(withProof(await proof({ htu: `${RESOURCE}/orders/8` }))), 401, 'dpop_proof_mismatch')
    refused(await gate.checkAsync(withProof(await proof({ ath: undefined }))), 401, 'dpop_proof_mismatch')

    // A valid proof by another key than the token's cnf.jkt.
    const other = await oauth.generateKeyPair('ES256', { extractable: true })
    const stranger = await proof({}, other.privateKey, await jose.exportJWK(other.publicKey))
    refused(await gate.checkAsync(withProof(stranger)), 401, 'oauth_binding_mismatch')
  })
})
