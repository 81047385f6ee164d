'use strict'
// portcullis demo in Node.js: one gate (gate.toml) decides the same requests as demo.c and
// demo.py. Run through `make demo-node`, which sets the PORTCULLIS_DEMO_* secrets the gate file
// references; prints one line per decision and nothing that changes from run to run.

const path = require('node:path')
const {
  DevCa,
  Gate,
  HmacSigningKey,
  HttpSigSigner,
  JwtKey,
  Request,
  WebhookSigner,
  jwtEncode,
  signRequest,
} = require(path.join(__dirname, '..', '..', 'bindings', 'node'))

const NOW = 1767225600

function env(name) {
  const value = process.env[name]
  if (!value) {
    process.stderr.write(`demo: ${name} is not set (run \`make demo\`)\n`)
    process.exit(1)
  }
  return value
}

/** The decision as one line: the same words, in the same order, as demo.c and demo.py. */
function describe(d) {
  const words = []
  if (d.allowed) {
    words.push(`allow route=${d.route}`)
    if (d.principal === null) {
      words.push('anonymous')
    } else {
      words.push(`credential=${d.credential}`, `subject=${d.principal.subject}`)
      if (d.satisfied.length > 1) words.push(`satisfied=${d.satisfied.join(',')}`)
    }
  } else {
    words.push(`deny route=${d.route ?? '-'}`)
  }
  words.push(`status=${d.status}`)
  if (d.code !== null) words.push(`code=${d.code}`)
  // Content-Type is on every denial (application/problem+json): not worth a column.
  for (const [name, value] of d.headers) {
    if (name.toLowerCase() !== 'content-type') words.push(`${name.toLowerCase()}=${value}`)
  }
  return words.join(' ')
}

const config = process.argv[2] ?? path.join(__dirname, 'gate.toml')

// The development CA exists only in this process: its certificate reaches the gate as the
// `secret:demo-ca` value, and it issues the client certificates below.
const ca = new DevCa('portcullis demo CA', { notBefore: NOW - 86400, notAfter: NOW + 10 * 365 * 86400 })
let gate
try {
  gate = Gate.fromFile(config, { secrets: { 'demo-ca': ca.caCertPem() } })
} catch (err) {
  process.stderr.write(`demo: ${config}: ${err.code}: ${err.detail}\n`)
  process.exit(1)
}

const requests = []
function add(label, method, target, headers = [], extra = {}) {
  requests.push([label, new Request({ method, target, headers, now: NOW, ...extra })])
}
const bearer = (token) => [['Authorization', `Bearer ${token}`]]
const basic = (user, password) => [
  ['Authorization', `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`],
]

// JWTs, signed with the secret the gate's `tokens` credential references.
const jwtKey = JwtKey.fromSecret(Buffer.from(env('PORTCULLIS_DEMO_JWT_SECRET'), 'utf8'), 'HS256', 'demo-hs')
const jwt = (sub, scope, aud = 'orders-api') =>
  jwtEncode({ sub, iss: 'https://issuer.demo', aud, iat: NOW, exp: NOW + 600, scope }, jwtKey, { kid: 'demo-hs' })
const user = jwt('user-42', 'orders:read reports:read')
const otherAudience = jwt('user-42', 'orders:read', 'billing-api')
const noScope = jwt('user-7', 'catalog:read')
const algNone = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'

// API keys, minted into the gate's own ring: the next check sees them.
const ring = gate.apiKeyRing('keys')
if (ring === null) {
  process.stderr.write('demo: gate.toml has no api_key credential named keys\n')
  process.exit(1)
}
function mint(subject, scopes, expiresAt) {
  const issued = ring.generate({ subject, scopes, expiresAt, now: NOW })
  ring.insert(issued.record)
  return issued.key
}
const billing = mint('svc-billing', ['orders:read'])
const expiring = mint('svc-billing', ['orders:read'], NOW + 3600)
const reports = mint('svc-reports', ['reports:read'])
const revoked = ring.generate({ subject: 'svc-old', scopes: ['orders:read'], now: NOW })
ring.insert(revoked.record)
ring.revoke(revoked.record.keyId, NOW - 1)
const typo = billing.slice(0, -1) + (billing.endsWith('A') ? 'B' : 'A')

add('health', 'GET', '/health')

add('catalog without a token', 'GET', '/catalog/items')
add('catalog with a token', 'GET', '/catalog/items', bearer(user))
add('catalog with an expired token', 'GET', '/catalog/items', bearer(user), { now: NOW + 700 })

add('orders jwt', 'GET', '/orders/7', bearer(user))
add('orders jwt expired', 'GET', '/orders/7', bearer(user), { now: NOW + 700 })
add('orders jwt for another audience', 'GET', '/orders/7', bearer(otherAudience))
add('orders jwt alg none', 'GET', '/orders/7', bearer(algNone))
add('orders jwt without the scope', 'GET', '/orders/7', bearer(noScope))
add('orders api key', 'GET', '/orders/7', bearer(billing))
add('orders api key in x-api-key', 'GET', '/orders/7', [['X-API-Key', billing]])
add('orders api key with a typo', 'GET', '/orders/7', bearer(typo))
add('orders api key revoked', 'GET', '/orders/7', bearer(revoked.key))
add('orders api key expired', 'GET', '/orders/7', bearer(expiring), { now: NOW + 7200 })
add('orders api key without the scope', 'GET', '/orders/7', bearer(reports))
add('orders without credentials', 'GET', '/orders/7')

for (let i = 1; i <= 4; i++) add(`reports burst ${i}`, 'GET', '/reports/daily', bearer(reports))
add('reports another caller', 'GET', '/reports/daily', bearer(user))

add('admin alice argon2id', 'GET', '/admin/users', basic('alice', 'correct horse battery staple'))
add('admin bob bcrypt', 'GET', '/admin/users', basic('bob', 'hunter2'))
for (let i = 1; i <= 3; i++) add(`admin bob wrong password ${i}`, 'GET', '/admin/users', basic('bob', `guess-${i}`))
add('admin bob locked out', 'GET', '/admin/users', basic('bob', 'hunter2'))
add('admin bob after the delay', 'GET', '/admin/users', basic('bob', 'hunter2'), { now: NOW + 30 })
add('admin unknown user', 'GET', '/admin/users', basic('mallory', 'hunter2'))
add('admin encoded path', 'GET', '/%61dmin/users')

const hook = new WebhookSigner({ scheme: 'standard', secret: env('PORTCULLIS_DEMO_WEBHOOK_SECRET') })
const event = Buffer.from('{"type":"invoice.paid","id":"in_1"}', 'utf8')
const h1 = hook.sign(event, { timestamp: NOW, messageId: 'msg_demo_1' })
add('webhook', 'POST', '/webhooks/billing', h1, { body: event })
add('webhook replayed', 'POST', '/webhooks/billing', h1, { body: event })
add('webhook tampered body', 'POST', '/webhooks/billing', h1, { body: Buffer.concat([event, Buffer.from(' ')]) })
add('webhook unsigned', 'POST', '/webhooks/billing', [], { body: event })

const pcs1Key = new HmacSigningKey({
  keyId: 'svc-orders',
  algorithm: 'hmac-sha256',
  secret: Buffer.from(env('PORTCULLIS_DEMO_PCS1_SECRET_B64'), 'base64'),
})
const orderHeaders = [
  ['Host', 'api.example.com'],
  ['Content-Type', 'application/json'],
]
const order = Buffer.from('{"sku":"X1","qty":2}', 'utf8')
const unsigned = new Request({ method: 'POST', target: '/orders', headers: orderHeaders, body: order, now: NOW })
const signed = [
  ...orderHeaders,
  ...signRequest(unsigned, pcs1Key, { headers: ['host', 'content-type'], now: NOW, nonce: 'ZGVtby1ub25jZS0wMDAwMDE' }),
]
add('orders signed (pcs1)', 'POST', '/orders', signed, { body: order })
add('orders signed replayed', 'POST', '/orders', signed, { body: order })
add('orders signed tampered body', 'POST', '/orders', signed, { body: Buffer.from('{"sku":"X1","qty":20}', 'utf8') })

const partner = HttpSigSigner.hmac('partner-1', Buffer.from(env('PORTCULLIS_DEMO_HTTPSIG_SECRET_B64'), 'base64'))
const host = [['Host', 'api.example.com']]
const toSign = new Request({ method: 'GET', target: '/partners/orders', headers: host, scheme: 'https', now: NOW })
const signature = partner.signRequest(toSign, { components: ['@method', '@target-uri'], created: NOW })
const sig = [...host, ...signature.headers]
add('partners signed (rfc 9421)', 'GET', '/partners/orders', sig, { scheme: 'https' })
add('partners signature on another method', 'DELETE', '/partners/orders', sig, { scheme: 'https' })

const client = (spiffeId, notBefore, notAfter) => ca.issueClient({ spiffeId, notBefore, notAfter })
const good = client('spiffe://demo.example/billing', NOW - 3600, NOW + 86400)
const foreign = client('spiffe://other.example/billing', NOW - 3600, NOW + 86400)
const forwarded = [['X-SSL-Client-Cert', encodeURIComponent(good.certPem)]]
const charge = '/payments/charges'
add('payments jwt and certificate', 'POST', charge, bearer(user), { peerCertificates: [good.der] })
add('payments jwt without certificate', 'POST', charge, bearer(user))
add('payments certificate without jwt', 'POST', charge, [], { peerCertificates: [good.der] })
add('payments certificate of another trust domain', 'POST', charge, bearer(user), { peerCertificates: [foreign.der] })
const proxied = [...bearer(user), ...forwarded]
add('payments certificate from the proxy', 'POST', charge, proxied, { peerAddress: '127.0.0.1' })
add('payments forged proxy header', 'POST', charge, proxied, { peerAddress: '203.0.113.9' })

add('no route', 'GET', '/nowhere')
add('dot segments', 'GET', '/orders/../admin/users')

const lines = requests.map(([label, request]) => `${label}: ${describe(gate.check(request))}`)
process.stdout.write(lines.join('\n') + '\n')
