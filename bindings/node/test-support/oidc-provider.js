'use strict'
// node-oidc-provider (npm `oidc-provider`, a certified OpenID Provider and OAuth 2.0
// authorization server) on 127.0.0.1 with an ephemeral port, for the interop tests: the
// `client_credentials` grant with a `client_secret_basic` client, RFC 8707 resource indicators
// whose access tokens are RFC 9068 JWTs (`typ: at+jwt`), and DPoP (RFC 9449) at its token
// endpoint. Every request the provider receives is counted by path, so a test can tell that
// portcullis fetched (or never fetched) its discovery document and its JWKS.
//
// oidc-provider is an ES module: it is loaded with `import()`.

const crypto = require('node:crypto')
const http = require('node:http')

/** The resource (RFC 8707) the tokens are for: the `aud` of every access token. */
const RESOURCE = 'https://api.example.com'
/** A second resource of the same provider, whose tokens are signed with ES256. */
const RESOURCE_ES256 = 'https://reports.example.com'
/** A third, whose tokens are signed with PS256 by the same RSA key as RESOURCE's RS256 ones. */
const RESOURCE_PS256 = 'https://ledger.example.com'
/** The scopes the resource servers know (and the client may ask for). */
const SCOPES = ['orders:read', 'orders:write', 'reports:read', 'ledger:read']

/**
 * The part of the provider's configuration that makes RFC 9068 access tokens: for each
 * resource indicator the client may name, its audience, scopes, lifetime, `accessTokenFormat:
 * 'jwt'` and the JWS algorithm (`jwt.sign.alg`; default RS256, the provider's
 * `id_token_signed_response_alg`).
 */
function resourceServers() {
  return {
    [RESOURCE]: {
      audience: RESOURCE,
      scope: 'orders:read orders:write',
      accessTokenTTL: 300,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: 'RS256' } },
    },
    [RESOURCE_ES256]: {
      audience: RESOURCE_ES256,
      scope: 'reports:read',
      accessTokenTTL: 300,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: 'ES256' } },
    },
    [RESOURCE_PS256]: {
      audience: RESOURCE_PS256,
      scope: 'ledger:read',
      accessTokenTTL: 300,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: 'PS256' } },
    },
  }
}

/** Private signing keys (RSA 2048 and P-256) as JWKs, made fresh for each instance. */
function signingKeys() {
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })
  return [
    { ...rsa, use: 'sig', kid: `rsa-${crypto.randomBytes(6).toString('hex')}` },
    { ...ec, use: 'sig', kid: `ec-${crypto.randomBytes(6).toString('hex')}` },
  ]
}

/**
 * Starts one provider. Its issuer is `http://127.0.0.1:<port>` (loopback http, which
 * portcullis allows for discovery and JWKS). Returns
 * `{ issuer, port, clientId, clientSecret, provider, requests, count(path), tokenRequest(params, headers), token(params), close() }`.
 */
async function startProvider({ clientId = 'svc-billing' } = {}) {
  const { default: Provider, errors } = await import('oidc-provider')
  const clientSecret = crypto.randomBytes(32).toString('base64url')
  const requests = new Map()
  let handler = (_req, res) => {
    res.writeHead(503)
    res.end()
  }
  const server = http.createServer((req, res) => {
    const path = new URL(req.url, 'http://127.0.0.1').pathname
    requests.set(path, (requests.get(path) ?? 0) + 1)
    handler(req, res)
  })
  server.keepAliveTimeout = 1000
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address()
  const issuer = `http://127.0.0.1:${port}`
  const servers = resourceServers()

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: SCOPES.join(' '),
      },
    ],
    // A client_credentials token lives as long as its resource server says (300 s here).
    ttl: { ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 300 },
    // The client's `scope` may list only scopes the provider knows.
    scopes: ['openid', ...SCOPES],
    jwks: { keys: signingKeys() },
    // The algorithms the provider may sign with (its JWKS publishes the RSA key without `alg`).
    enabledJWA: { idTokenSigningAlgValues: ['RS256', 'PS256', 'ES256'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      revocation: { enabled: false },
      dPoP: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // A token request that names no resource is for RESOURCE.
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          const info = servers[resourceIndicator]
          if (!info) throw new errors.InvalidTarget()
          return info
        },
      },
    },
  })
  handler = provider.callback()

  /** POSTs a token request with client_secret_basic (RFC 6749 2.3.1: each part form-encoded). */
  async function tokenRequest(params, headers = {}) {
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...headers,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...params }).toString(),
      signal: AbortSignal.timeout(10_000),
    })
    return { status: response.status, headers: response.headers, body: await response.json() }
  }

  return {
    issuer,
    port,
    clientId,
    clientSecret,
    provider,
    requests,
    /** How many requests reached `path` (`/jwks`, `/.well-known/openid-configuration`, ...). */
    count(path) {
      return requests.get(path) ?? 0
    },
    /** The total of requests received. */
    get total() {
      let n = 0
      for (const v of requests.values()) n += v
      return n
    },
    tokenRequest,
    /** A bearer access token for `params` (`resource`, `scope`); throws unless 200. */
    async token(params = {}) {
      const { status, body } = await tokenRequest({ resource: RESOURCE, scope: SCOPES.join(' '), ...params })
      if (status !== 200) throw new Error(`token request failed: ${status} ${JSON.stringify(body)}`)
      return body
    },
    close() {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

module.exports = { startProvider, resourceServers, RESOURCE, RESOURCE_ES256, RESOURCE_PS256, SCOPES }
