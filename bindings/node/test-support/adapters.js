'use strict'
// What test/express.test.js and test/fastify.test.js share: one gate (every method the
// adapters must carry: JWT, webhook, PCS1 and RFC 9421 signatures over the raw body, mTLS, a
// rate limit, optional and anonymous routes), a second gate whose Basic password hash is slow
// (`mayBlock`), the signers, a DevCa PKI for real TLS, and a loopback HTTP(S) client.

const http = require('node:http')
const https = require('node:https')

const { portcullis } = require('./helpers')
const {
  DevCa,
  Gate,
  HmacSigningKey,
  HttpSigSigner,
  JwtKey,
  Request,
  WebhookSigner,
  contentDigest,
  hashPassword,
  jwtEncode,
  signRequest,
} = portcullis

// TLS handshakes run on the wall clock (the client checks the server certificate): the PKI is
// issued around the real time, and the gate checks at the same pinned `NOW`.
const NOW = Math.floor(Date.now() / 1000)
const DAY = 86400
const JWT_SECRET = 'adapter-test-jwt-secret-0123456789abcdef'
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const PCS1_SECRET = Buffer.from('adapter-test-pcs1-secret-0123456789ab')
const HTTPSIG_SECRET = Buffer.from('adapter-test-httpsig-secret-012345678')

const ca = new DevCa('adapter test root', { notBefore: NOW - 30 * DAY, notAfter: NOW + 365 * DAY })
const serverCert = ca.issueServer(['localhost', '127.0.0.1'], { notBefore: NOW - DAY, notAfter: NOW + 30 * DAY })
const clientCert = ca.issueClient({ spiffeId: 'spiffe://adapters.example/payments', notBefore: NOW - 3600, notAfter: NOW + DAY })
const rogueCa = new DevCa('rogue root', { notBefore: NOW - 30 * DAY, notAfter: NOW + 365 * DAY })
const rogueCert = rogueCa.issueClient({ spiffeId: 'spiffe://adapters.example/payments', notBefore: NOW - 3600, notAfter: NOW + DAY })

/** The https server options: asks for a client certificate, lets the gate judge it. */
const TLS_SERVER = { key: serverCert.keyPem, cert: serverCert.chainPem, ca: [ca.caCertPem()], requestCert: true, rejectUnauthorized: false }

const CONFIG = `
version = 1

[credentials.tokens]
method = "jwt"
audiences = ["api"]
realm = "api"
keys = { static = [{ alg = "HS256", secret = "secret:jwt" }] }

[credentials.hooks]
method = "webhook"
scheme = "standard"
secrets = ["secret:whsec"]

[credentials.signed]
method = "pcs1"
required_headers = ["host", "content-type"]
keys = [{ key_id = "svc", algorithm = "hmac-sha256", secrets_b64 = ["secret:pcs1"], subject = "svc" }]

[credentials.partners]
method = "httpsig"
required_components = ["@method", "@target-uri"]
keys = [{ keyid = "partner-1", algorithm = "hmac-sha256", secret_b64 = "secret:httpsig" }]

[credentials.edge]
method = "mtls"
trust_anchors = ["secret:ca"]
spiffe_trust_domains = ["adapters.example"]

[[routes]]
name = "health"
methods = ["GET"]
path = "/health"
require = { anonymous = true }

[[routes]]
name = "catalog"
methods = ["GET"]
path = "/catalog"
require = { optional = "tokens" }

[[routes]]
name = "orders"
methods = ["GET", "POST"]
path = "/orders/{id}"
require = "tokens"
scopes = ["orders:read"]

[[routes]]
name = "maybe"
methods = ["GET"]
path = "/maybe"
require = "tokens"

# Two methods, two challenges: a 401 here carries two WWW-Authenticate fields.
[[routes]]
name = "either"
methods = ["GET"]
path = "/either"
require = { any_of = ["tokens", "signed"] }

[[routes]]
name = "limited"
methods = ["GET"]
path = "/limited"
require = "tokens"
rate_limits = ["two"]

[[routes]]
name = "upload"
methods = ["POST"]
path = "/upload"
require = "tokens"

[[routes]]
name = "webhooks"
methods = ["POST"]
path = "/webhooks"
require = "hooks"

[[routes]]
name = "signed"
methods = ["POST"]
path = "/signed"
require = "signed"

[[routes]]
name = "partners"
methods = ["POST"]
path = "/partners"
require = "partners"

[[routes]]
name = "payments"
methods = ["POST"]
path = "/payments"
require = { all_of = ["tokens", "edge"] }

[rate_limits.two]
key = "principal"
quota = 2
window_seconds = 60
`

const SECRETS = {
  jwt: JWT_SECRET,
  whsec: WHSEC,
  pcs1: PCS1_SECRET.toString('base64'),
  httpsig: HTTPSIG_SECRET.toString('base64'),
  ca: ca.caCertPem(),
}

function gate() {
  return Gate.fromToml(CONFIG, { secrets: SECRETS })
}

// A password hash that takes a while to check (about half a second here: long enough that a JWT
// request sent just after it finishes first even on a busy machine): the gate that holds it may
// block (`mayBlock`), so the adapters check on the thread pool. Hashed on first use.
let slowConfig = null
function slowGate() {
  if (slowConfig === null) {
    const hash = hashPassword('pw-bob', { memoryKib: 65536, iterations: 8, parallelism: 1 })
    slowConfig = `
version = 1

[credentials.tokens]
method = "jwt"
audiences = ["api"]
keys = { static = [{ alg = "HS256", secret = "secret:jwt" }] }

[credentials.ops]
method = "basic"
realm = "ops"
users = { bob = "${hash}" }

[[routes]]
name = "ops"
path = "/ops"
require = "ops"

[[routes]]
name = "orders"
path = "/orders/{id}"
require = "tokens"
`
  }
  return Gate.fromToml(slowConfig, { secrets: { jwt: JWT_SECRET } })
}

const jwtKey = JwtKey.fromSecret(Buffer.from(JWT_SECRET), 'HS256')

function token(claims = {}) {
  return jwtEncode({ sub: 'alice', aud: 'api', exp: NOW + 600, scope: 'orders:read', ...claims }, jwtKey)
}

const bearer = (claims) => ({ authorization: `Bearer ${token(claims)}` })
const basic = (user, password) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` })

let messages = 0
/** Standard Webhooks headers for `body` (a fresh message id each time: ids are remembered). */
function webhookHeaders(body) {
  const signer = new WebhookSigner({ scheme: 'standard', secret: WHSEC })
  messages += 1
  return Object.fromEntries(signer.sign(body, { timestamp: NOW, messageId: `msg_adapter_${process.pid}_${messages}` }))
}

const pcs1Key = new HmacSigningKey({ keyId: 'svc', algorithm: 'hmac-sha256', secret: PCS1_SECRET })
/** PCS1 headers for a POST of `body` to `target` on `host` (signed with `content-digest`). */
function pcs1Headers(host, target, body, contentType = 'application/json') {
  const headers = { host, 'content-type': contentType }
  const request = new Request({ method: 'POST', target, headers: Object.entries(headers), body, now: NOW })
  return { ...headers, ...Object.fromEntries(signRequest(request, pcs1Key, { headers: ['host', 'content-type'], now: NOW })) }
}

const partner = HttpSigSigner.hmac('partner-1', HTTPSIG_SECRET)
/** RFC 9421 headers for a POST of `body` to `scheme://host/target`, covering its digest. */
function httpsigHeaders(scheme, host, target, body, contentType = 'application/json') {
  const headers = { host, 'content-type': contentType, 'content-digest': contentDigest(body) }
  const request = new Request({ method: 'POST', target, headers: Object.entries(headers), body, scheme, now: NOW })
  const signature = partner.signRequest(request, { components: ['@method', '@target-uri', 'content-digest'], created: NOW })
  return { ...headers, ...Object.fromEntries(signature.headers) }
}

/** Listens on 127.0.0.1 (port 0); resolves with the port. */
function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server.address().port))
  })
}

function close(server) {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(resolve))
}

/**
 * One request over loopback: `{ port, path, method, headers, body, tls, cert, agent }` (`tls`
 * for https, `cert` a client certificate to present). Resolves with `{ status, headers,
 * rawHeaders, body }` (the body as text); times out after 10 s.
 */
function call({ port, path, method = 'GET', headers = {}, body, tls = false, cert, agent = false }) {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path, method, headers: { ...headers }, agent, timeout: 10_000 }
    if (body !== undefined) options.headers['content-length'] = String(Buffer.byteLength(body))
    if (tls) {
      options.ca = [ca.caCertPem()]
      options.servername = 'localhost'
      if (cert) Object.assign(options, { key: cert.keyPem, cert: cert.chainPem })
    }
    const req = (tls ? https : http).request(options, (res) => {
      const parts = []
      res.on('data', (d) => parts.push(d))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(parts).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error('request timed out')))
    req.on('error', reject)
    req.end(body)
  })
}

/** The values of header `name` in a raw header list, in order (one per field). */
function fieldValues(rawHeaders, name) {
  const values = []
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === name) values.push(rawHeaders[i + 1])
  return values
}

module.exports = {
  NOW,
  TLS_SERVER,
  clientCert,
  rogueCert,
  gate,
  slowGate,
  token,
  bearer,
  basic,
  webhookHeaders,
  pcs1Headers,
  httpsigHeaders,
  listen,
  close,
  call,
  fieldValues,
}
