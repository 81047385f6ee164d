'use strict'
// The portcullis demo in Node.js: the same 33 requests as demo.c and demo.py, one line each.
// `make demo` diffs the three outputs; they must be byte-identical.

const path = require('node:path')
const {
  ApiKeyRing,
  BasicAuth,
  DevCa,
  HmacSigningKey,
  HmacVerifier,
  HttpSigKeyring,
  HttpSigSigner,
  HttpSigVerifier,
  JwtKey,
  JwtKeySet,
  JwtVerifier,
  MtlsVerifier,
  Request,
  WebhookSigner,
  WebhookVerifier,
  hashPassword,
  jwtEncode,
  signRequest,
} = require(path.join(__dirname, '..', '..', 'bindings', 'node'))

const NOW = 1767225600

const ring = new ApiKeyRing({
  pepper: Buffer.from('demo-pepper-0123456789abcdef0123', 'ascii'),
  prefix: 'pc',
  environment: 'live',
  realm: 'demo',
})
const k1 = ring.generate({ subject: 'svc-billing', scopes: ['orders:read'], now: NOW })
const k2 = ring.generate({ subject: 'svc-billing', scopes: ['orders:read'], expiresAt: NOW + 3600, now: NOW })
const k3 = ring.generate({ subject: 'svc-reports', scopes: ['orders:read'], now: NOW })
const k4 = ring.generate({ subject: 'svc-ghost', now: NOW })
for (const issued of [k1, k2, k3]) ring.insert(issued.record)
ring.revoke(k3.record.keyId, NOW - 1)

const basic = new BasicAuth({
  realm: 'demo',
  users: { alice: hashPassword('correct horse battery staple') },
  htpasswd: 'bob:$2y$05$goj0pwBt4vml.1uO7DxaUe6SvNQJFBMjHhANzqU2Ka/UmCfbq6Rzy\n',
})

const typo = k1.key.slice(0, -1) + (k1.key.endsWith('A') ? 'B' : 'A')
const bearer = (key) => [['Authorization', `Bearer ${key}`]]
const basicAuth = (user, password) => [
  ['Authorization', `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`],
]

// [label, verifier, headers, required scopes, time]
const cases = [
  ['apikey bearer ok', 'apikey', bearer(k1.key), ['orders:read']],
  ['apikey header ok', 'apikey', [['X-API-Key', k1.key]], []],
  ['apikey unknown key', 'apikey', bearer(k4.key), []],
  ['apikey typo', 'apikey', bearer(typo), []],
  ['apikey expired', 'apikey', bearer(k2.key), [], NOW + 7200],
  ['apikey revoked', 'apikey', bearer(k3.key), []],
  ['apikey malformed', 'apikey', bearer('not-a-key'), []],
  ['apikey missing scope', 'apikey', bearer(k1.key), ['orders:write']],
  ['apikey no credentials', 'apikey', [], []],
  ['basic alice ok', 'basic', basicAuth('alice', 'correct horse battery staple')],
  ['basic bob bcrypt ok', 'basic', basicAuth('bob', 'hunter2')],
  ['basic wrong password', 'basic', basicAuth('alice', 'wrong')],
  ['basic unknown user', 'basic', basicAuth('mallory', 'hunter2')],
  ['basic bad base64', 'basic', [['Authorization', 'Basic !!!']]],
  ['basic no colon', 'basic', [['Authorization', 'Basic YWxpY2U=']]],
]

const lines = []
function decide(label, verify) {
  try {
    const principal = verify()
    lines.push(`${label}: allow subject=${principal.subject} method=${principal.method}`)
  } catch (err) {
    if (typeof err.code !== 'string' || typeof err.httpStatus !== 'number') throw err
    lines.push(`${label}: deny ${err.code} status=${err.httpStatus} challenge=${err.challenge ?? '-'}`)
  }
}

for (const [label, verifier, headers, scopes, now = NOW] of cases) {
  const request = new Request({ method: 'GET', target: '/orders', headers, now })
  decide(label, () => (verifier === 'apikey' ? ring.verify(request, scopes) : basic.verify(request)))
}

// Webhooks (Standard Webhooks): 16-19.
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const webhooks = new WebhookVerifier({ scheme: 'standard', secrets: [WHSEC] })
const webhookSigner = new WebhookSigner({ scheme: 'standard', secret: WHSEC })
const W = Buffer.from('{"type":"invoice.paid","id":"in_1"}', 'utf8')
const h1 = webhookSigner.sign(W, { timestamp: NOW, messageId: 'msg_demo_1' })
const h2 = webhookSigner.sign(W, { timestamp: NOW, messageId: 'msg_demo_2' })
const webhook = (headers, body, now = NOW) => new Request({ method: 'POST', target: '/webhooks', headers, body, now })
const delivered = webhook(h1, W)
decide('webhook ok', () => webhooks.verify(delivered))
decide('webhook replayed', () => webhooks.verify(delivered))
decide('webhook tampered body', () => webhooks.verify(webhook(h1, Buffer.concat([W, Buffer.from(' ')]))))
decide('webhook too old', () => webhooks.verify(webhook(h2, W, NOW + 301)))

// PCS1 HMAC request signing: 20-22.
const hmacSecret = Buffer.from('demo-hmac-secret-0123456789abcde', 'ascii')
const hmac = new HmacVerifier({
  keys: [{ keyId: 'svc-orders', algorithm: 'hmac-sha256', secretsB64: [hmacSecret.toString('base64')], subject: 'svc-orders' }],
})
const orderHeaders = [
  ['Host', 'api.example.com'],
  ['Content-Type', 'application/json'],
]
const order = (body, extra = []) =>
  new Request({
    method: 'POST',
    target: '/orders?b=2&a=1',
    headers: [...orderHeaders, ...extra],
    body: Buffer.from(body, 'utf8'),
    now: NOW,
  })
const signingKey = new HmacSigningKey({ keyId: 'svc-orders', algorithm: 'hmac-sha256', secret: hmacSecret })
const signed = signRequest(order('{"sku":"X1","qty":2}'), signingKey, {
  headers: ['host', 'content-type'],
  now: NOW,
  nonce: 'ZGVtby1ub25jZS0wMDAwMDE',
})
const signedOrder = order('{"sku":"X1","qty":2}', signed)
decide('hmac ok', () => hmac.verify(signedOrder))
decide('hmac replayed', () => hmac.verify(signedOrder))
decide('hmac tampered body', () => hmac.verify(order('{"sku":"X1","qty":20}', signed)))

// RFC 9421 HTTP Message Signatures: 23-24.
const keyring = new HttpSigKeyring()
const httpsigSecret = Buffer.from('demo-httpsig-secret-0123456789ab', 'ascii')
keyring.addHmacSecret('demo-key', httpsigSecret)
const httpsig = new HttpSigVerifier(keyring, {
  requiredComponents: ['@method', '@target-uri'],
  requireContentDigest: false,
})
const get = (method, extra = []) =>
  new Request({ method, target: '/orders', scheme: 'https', headers: [['Host', 'api.example.com'], ...extra], now: NOW })
const signature = HttpSigSigner.hmac('demo-key', httpsigSecret).signRequest(get('GET'), {
  label: 'sig1',
  components: ['@method', '@target-uri'],
  created: NOW,
})
decide('httpsig ok', () => httpsig.verifyRequest(get('GET', signature.headers)))
decide('httpsig wrong method', () => httpsig.verifyRequest(get('DELETE', signature.headers)))

// JWT bearer tokens: 25-28.
const jwtKey = JwtKey.fromSecret(Buffer.from('demo-jwt-secret-0123456789abcdef', 'ascii'), 'HS256', 'demo-hs')
const jwtKeys = new JwtKeySet()
jwtKeys.insert(jwtKey)
const jwt = new JwtVerifier(jwtKeys, { issuers: ['https://issuer.demo'], audiences: ['orders-api'] })
const claims = (aud) => ({ sub: 'user-42', iss: 'https://issuer.demo', aud, iat: NOW, exp: NOW + 600, scope: 'orders:read' })
const t1 = jwtEncode(claims('orders-api'), jwtKey, { kid: 'demo-hs' })
const t2 = jwtEncode(claims('billing-api'), jwtKey, { kid: 'demo-hs' })
const bearerAt = (token, now = NOW) => new Request({ method: 'GET', target: '/orders', headers: bearer(token), now })
decide('jwt ok', () => jwt.verify(bearerAt(t1), ['orders:read']))
decide('jwt expired', () => jwt.verify(bearerAt(t1, NOW + 700), []))
decide('jwt wrong audience', () => jwt.verify(bearerAt(t2), []))
decide('jwt alg none', () => jwt.verify(bearerAt('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'), []))

// mTLS client certificates: 29-33.
const ca = new DevCa('portcullis demo CA', { notBefore: NOW - 86400, notAfter: NOW + 10 * 365 * 86400 })
const spiffe = (id, notBefore, notAfter) => ca.issueClient({ spiffeId: id, notBefore, notAfter })
const good = spiffe('spiffe://demo.example/billing', NOW - 3600, NOW + 86400)
const other = spiffe('spiffe://other.example/billing', NOW - 3600, NOW + 86400)
const expired = spiffe('spiffe://demo.example/billing', NOW - 172800, NOW - 86400)
const mtlsOptions = { trustAnchors: [ca.caCertPem()], spiffeTrustDomains: ['demo.example'] }
const mtls = new MtlsVerifier(mtlsOptions)
const proxied = new MtlsVerifier({
  ...mtlsOptions,
  forwarded: { header: 'x-ssl-client-cert', format: 'nginx', trustedProxies: ['127.0.0.1/32'] },
})
const tlsRequest = (cert) => new Request({ method: 'GET', target: '/invoices', peerCertificates: [cert.der], now: NOW })
const proxyRequest = (peerAddress) =>
  new Request({
    method: 'GET',
    target: '/invoices',
    headers: [['X-SSL-Client-Cert', encodeURIComponent(good.certPem)]],
    peerAddress,
    now: NOW,
  })
decide('mtls spiffe client', () => mtls.verify(tlsRequest(good)))
decide('mtls other trust domain', () => mtls.verify(tlsRequest(other)))
decide('mtls expired certificate', () => mtls.verify(tlsRequest(expired)))
decide('mtls forged proxy header', () => proxied.verify(proxyRequest('203.0.113.9')))
decide('mtls proxy header', () => proxied.verify(proxyRequest('127.0.0.1')))

process.stdout.write(lines.join('\n') + '\n')
