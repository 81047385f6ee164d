'use strict'
// portcullis/express: `authenticate`, `AuthDenied`, `denialHandler`, `keepRawBody` in a real
// Express 5 application, through supertest against a server on 127.0.0.1, once more with
// Node's own HTTP client, and over HTTPS with client certificates (mTLS + JWT on one route).

const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const https = require('node:https')
const path = require('node:path')

const express = require('express')
const supertest = require('supertest')

const { JwtKey, jwtEncode } = require('..')
const adapters = require('portcullis/express')
const { authenticate, denialHandler, keepRawBody, AuthDenied } = require('../express.js')
const { NOW, TLS_SERVER, clientCert, rogueCert, gate, slowGate, token, bearer, basic, webhookHeaders, pcs1Headers, httpsigHeaders, listen, close, call, fieldValues } = require('../test-support/adapters')

/** What every handler answers: the decision as the handler sees it, and the body it got. */
function echo(req, res) {
  const a = req.auth
  let body = null
  if (req.body !== undefined && !Buffer.isBuffer(req.body)) body = req.body
  else if (req.rawBody !== undefined && req.rawBody.length > 0) body = JSON.parse(req.rawBody)
  res.json({
    allowed: a.allowed,
    status: a.status,
    code: a.code,
    route: a.route,
    subject: a.principal === null ? null : a.principal.subject,
    anonymous: a.anonymous,
    satisfied: a.satisfied,
    body,
    rawLength: req.rawBody === undefined ? null : req.rawBody.length,
  })
}

function application(g) {
  const app = express()
  const auth = authenticate(g, { now: NOW })
  app.get('/health', auth, echo)
  app.get('/catalog', auth, echo)
  app.get('/either', auth, echo)
  app.get('/limited', auth, echo)
  app.get('/maybe', authenticate(g, { now: NOW, required: false }), echo)
  // Mounted: req.url is `/7` here, the gate must see `/orders/7` (req.originalUrl).
  const orders = express.Router()
  orders.get('/:id', auth, echo)
  orders.post('/:id', authenticate(g, { now: NOW, scopes: ['orders:write'] }), echo)
  app.use('/orders', orders)
  // The middleware reads the body itself; the handler parses req.rawBody.
  app.post('/upload', auth, echo)
  app.post('/signed', auth, echo)
  // A parser before the middleware, keeping the bytes: the handler gets req.body parsed.
  app.post('/webhooks', express.json({ verify: keepRawBody }), auth, echo)
  app.post('/payments', express.json({ verify: keepRawBody }), auth, echo)
  // express.raw() keeps a Buffer in req.body: used as is.
  app.post('/partners', express.raw({ type: '*/*' }), authenticate(g, { now: NOW, maxBodyBytes: 64 }), echo)
  // A parser that keeps nothing before the middleware: a configuration mistake, refused.
  app.post('/careless', express.json(), auth, echo)
  app.use(denialHandler())
  return app
}

let server
let port
let host
let agent

test.before(async () => {
  server = http.createServer(application(gate()))
  port = await listen(server)
  host = `127.0.0.1:${port}`
  agent = supertest(server)
})

test.after(() => close(server))

function problemOf(res) {
  assert.equal(res.headers['content-type'], 'application/problem+json')
  return JSON.parse(res.text)
}

test('the package exports portcullis/express', () => {
  assert.equal(adapters.authenticate, authenticate)
  const pkg = require('../package.json')
  assert.equal(pkg.exports['./express'].default, './express.js')
  for (const f of ['adapter.js', 'express.js', 'express.d.ts']) assert.ok(pkg.files.includes(f), f)
})

test('allowed: the principal on req.auth, the target as received (mounted router)', async () => {
  const res = await agent.get('/orders/7?x=1').set(bearer()).expect(200)
  assert.deepEqual(res.body, {
    allowed: true, status: 200, code: null, route: 'orders', subject: 'alice', anonymous: false, satisfied: ['tokens'], body: null, rawLength: null,
  })
})

test('401: missing and bad credentials, WWW-Authenticate and the problem body', async () => {
  const missing = await agent.get('/orders/7').expect(401)
  assert.equal(missing.headers['www-authenticate'], 'Bearer realm="api"')
  assert.deepEqual(problemOf(missing), { type: 'urn:portcullis:error:credentials_missing', title: 'Authentication required.', status: 401, code: 'credentials_missing' })

  const forged = jwtEncode({ sub: 'alice', aud: 'api', exp: NOW + 600 }, JwtKey.fromSecret(Buffer.from('another-secret-0123456789abcdef-0123'), 'HS256'))
  const bad = await agent.get('/orders/7').set('authorization', `Bearer ${forged}`).expect(401)
  assert.match(bad.headers['www-authenticate'], /^Bearer realm="api", error="invalid_token"/)
  assert.equal(problemOf(bad).code, 'jwt_signature_invalid')

  const expired = await agent.get('/orders/7').set(bearer({ exp: NOW - 3600 })).expect(401)
  assert.equal(problemOf(expired).code, 'jwt_expired')
})

test('several challenges: one WWW-Authenticate field each, in the gate\'s order', async () => {
  const res = await call({ port, path: '/either' })
  assert.equal(res.status, 401)
  const g = gate()
  const { Request } = require('..')
  const expected = g.check(new Request({ method: 'GET', target: '/either', now: NOW })).headers
  assert.deepEqual(fieldValues(res.rawHeaders, 'www-authenticate'), ['Bearer realm="api"', 'PCS1-HMAC-SHA256 realm="api", headers="host;content-type"'])
  assert.deepEqual(
    fieldValues(res.rawHeaders, 'www-authenticate').concat(fieldValues(res.rawHeaders, 'content-type')),
    expected.map(([, v]) => v),
  )
  assert.equal(JSON.parse(res.body).code, 'credentials_missing')
})

test('403 insufficient_scope from the `scopes` option, enforced by the gate', async () => {
  const res = await agent.post('/orders/7').set(bearer({ scope: 'orders:read' })).expect(403)
  assert.equal(problemOf(res).code, 'scope_insufficient')
  assert.match(res.headers['www-authenticate'], /error="insufficient_scope"/)
  assert.match(res.headers['www-authenticate'], /scope="orders:read orders:write"/)
  const ok = await agent.post('/orders/7').set(bearer({ scope: 'orders:read orders:write' })).expect(200)
  assert.equal(ok.body.subject, 'alice')
})

test('429 with Retry-After once the rate limit is spent', async () => {
  const who = bearer({ sub: 'express-limited' })
  await agent.get('/limited').set(who).expect(200)
  await agent.get('/limited').set(who).expect(200)
  const res = await agent.get('/limited').set(who).expect(429)
  assert.match(res.headers['retry-after'], /^[1-9][0-9]*$/)
  assert.equal(problemOf(res).code, 'rate_limited')
})

test('optional (required: false), optional and anonymous gate routes', async () => {
  const none = await agent.get('/maybe').expect(200)
  assert.deepEqual([none.body.allowed, none.body.status, none.body.code], [false, 401, 'credentials_missing'])
  const bad = await agent.get('/maybe').set('authorization', 'Bearer nope').expect(200)
  assert.equal(bad.body.allowed, false)
  const good = await agent.get('/maybe').set(bearer()).expect(200)
  assert.deepEqual([good.body.allowed, good.body.subject], [true, 'alice'])

  const anon = await agent.get('/catalog').expect(200)
  assert.deepEqual([anon.body.allowed, anon.body.anonymous, anon.body.subject], [true, true, null])
  const known = await agent.get('/catalog').set(bearer()).expect(200)
  assert.equal(known.body.subject, 'alice')
  // An invalid token on an optional route is refused by the gate.
  await agent.get('/catalog').set('authorization', 'Bearer nope').expect(401)
  const health = await agent.get('/health').expect(200)
  assert.equal(health.body.anonymous, true)
})

test('webhook over the raw bytes kept by express.json({ verify: keepRawBody }); the handler gets req.body', async () => {
  const text = '{"type": "invoice.paid",  "id":"in_1"}'
  const res = await agent.post('/webhooks').set(webhookHeaders(text)).set('content-type', 'application/json').send(text).expect(200)
  assert.deepEqual(res.body.body, { type: 'invoice.paid', id: 'in_1' })
  assert.equal(res.body.rawLength, Buffer.byteLength(text))
  assert.equal(res.body.subject !== undefined, true)
  // The same signature over other bytes (parsed to the same JSON) is refused.
  const headers = webhookHeaders(text)
  const tampered = await agent.post('/webhooks').set(headers).set('content-type', 'application/json').send('{"type":"invoice.paid","id":"in_1"}').expect(401)
  assert.equal(problemOf(tampered).code, 'signature_mismatch')
})

test('PCS1 over the body the middleware read itself (req.rawBody), tampering refused', async () => {
  const text = '{"sku":"X1","qty":2}'
  const res = await agent.post('/signed').set(pcs1Headers(host, '/signed', Buffer.from(text))).send(text).expect(200)
  assert.deepEqual([res.body.subject, res.body.body, res.body.rawLength], ['svc', { sku: 'X1', qty: 2 }, text.length])
  const headers = pcs1Headers(host, '/signed', Buffer.from(text))
  const tampered = await agent.post('/signed').set(headers).send('{"sku":"X1","qty":20}').expect(401)
  assert.equal(problemOf(tampered).code, 'signature_digest_mismatch')
})

test('RFC 9421 over the Buffer express.raw() kept; its own maxBodyBytes', async () => {
  const body = Buffer.from('{"partner":1}')
  // Sent as text: superagent would serialize a Buffer as JSON.
  const res = await agent.post('/partners').set(httpsigHeaders('http', host, '/partners', body)).send(body.toString()).expect(200)
  assert.equal(res.body.route, 'partners')
  assert.equal(res.body.rawLength, body.length)
  const big = Buffer.alloc(65, 0x61)
  const over = await agent.post('/partners').set(httpsigHeaders('http', host, '/partners', big)).send(big.toString()).expect(413)
  assert.equal(problemOf(over).code, 'input_too_large')
})

test('a body over maxBodyBytes is refused (413): announced, and chunked without a length', async () => {
  const big = Buffer.alloc(1024 * 1024 + 1, 0x20)
  const res = await call({ port, path: '/upload', method: 'POST', headers: bearer(), body: big })
  assert.equal(res.status, 413)
  assert.equal(JSON.parse(res.body).code, 'input_too_large')

  const chunked = await new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/upload', method: 'POST', headers: bearer(), agent: false, timeout: 10_000 }, (r) => {
      const parts = []
      r.on('data', (d) => parts.push(d))
      r.on('end', () => resolve({ status: r.statusCode, body: Buffer.concat(parts).toString() }))
    })
    req.on('error', (e) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? resolve({ status: 'reset' }) : reject(e)))
    req.on('timeout', () => req.destroy(new Error('timed out')))
    // 64 KiB chunks, bounded: 20 of them is well over the limit.
    for (let i = 0; i < 20; i++) req.write(Buffer.alloc(65536, 0x20))
    req.end()
  })
  assert.equal(chunked.status, 413)
  const small = await agent.post('/upload').set(bearer()).set('content-type', 'application/json').send('{"a":1}').expect(200)
  assert.deepEqual([small.body.body, small.body.rawLength], [{ a: 1 }, 7])
})

test('a body parser that kept nothing before the middleware: 500, never a pass', async () => {
  const res = await agent.post('/careless').set(bearer()).set('content-type', 'application/json').send('{"a":1}').expect(500)
  assert.equal(problemOf(res).code, 'internal')
})

test('AuthDenied carries the decision; denialHandler passes other errors on', async () => {
  const app = express()
  let seen
  app.get('/orders/:id', authenticate(gate(), { now: NOW }), echo)
  app.get('/boom', () => {
    throw new Error('not ours')
  })
  app.use((err, req, res, next) => {
    seen = err
    next(err)
  })
  app.use(denialHandler())
  app.use((err, req, res, _next) => res.status(599).send(err.message))
  const res = await supertest(app).get('/orders/1').expect(401)
  assert.ok(seen instanceof AuthDenied)
  assert.equal(seen.name, 'AuthDenied')
  assert.equal(seen.status, 401)
  assert.equal(seen.statusCode, 401)
  assert.equal(seen.code, 'credentials_missing')
  assert.deepEqual(seen.headers, [['WWW-Authenticate', 'Bearer realm="api"'], ['Content-Type', 'application/problem+json']])
  assert.equal(seen.problem, res.text)
  assert.equal(seen.decision.route, 'orders')
  await supertest(app).get('/boom').expect(599, 'not ours')
})

test('a gate call that throws is a 500 refusal, even with required: false; nothing of the error is shown', async () => {
  const broken = {
    check() {
      throw new Error('secret detail 0xdeadbeef')
    },
    checkAsync() {
      return Promise.reject(new Error('secret detail 0xdeadbeef'))
    },
  }
  for (const [b, required] of [[broken, true], [{ ...broken, mayBlock: true }, false]]) {
    const app = express()
    let cause
    app.get('/x', authenticate(b, { required }), echo)
    app.use((err, req, res, next) => {
      cause = err.cause
      next(err)
    })
    app.use(denialHandler())
    const res = await supertest(app).get('/x').expect(500)
    assert.deepEqual(JSON.parse(res.text), { type: 'urn:portcullis:error:internal', title: 'Internal error.', status: 500, code: 'internal' })
    assert.ok(!res.text.includes('deadbeef'))
    assert.match(cause.message, /deadbeef/)
  }
})

test('options are checked', () => {
  const g = gate()
  assert.throws(() => authenticate({}), /expected a portcullis Gate/)
  assert.throws(() => authenticate(g, { scope: ['x'] }), /unknown option `scope`/)
  assert.throws(() => authenticate(g, { scopes: 'x' }), /array of strings/)
  assert.throws(() => authenticate(g, { required: 'no' }), /must be a boolean/)
  assert.throws(() => authenticate(g, { maxBodyBytes: -1 }), /non-negative integer/)
  assert.throws(() => authenticate(g, { now: 'today' }), /option `now`/)
})

test('a slow credential (mayBlock) is checked off the event loop: a concurrent request is not held', async () => {
  const g = slowGate()
  assert.equal(g.mayBlock, true)
  const slowApp = express()
  slowApp.use(authenticate(g, { now: NOW }))
  slowApp.get('/ops', echo)
  slowApp.get('/orders/:id', echo)
  slowApp.use(denialHandler())
  const slowServer = http.createServer(slowApp)
  const slowPort = await listen(slowServer)
  try {
    const done = []
    const slow = call({ port: slowPort, path: '/ops', headers: basic('bob', 'pw-bob') }).then((r) => {
      done.push('slow')
      return r
    })
    // Let the slow request reach the thread pool first.
    await new Promise((resolve) => setTimeout(resolve, 5))
    const fast = call({ port: slowPort, path: '/orders/1', headers: bearer() }).then((r) => {
      done.push('fast')
      return r
    })
    const [s, f] = await Promise.all([slow, fast])
    assert.equal(s.status, 200)
    assert.equal(JSON.parse(s.body).subject, 'bob')
    assert.equal(f.status, 200)
    assert.deepEqual(done, ['fast', 'slow'])
  } finally {
    await close(slowServer)
  }
})

test.describe('over real loopback HTTP and HTTPS', () => {
  test('HTTP with Node\'s client: allowed, refused with the gate\'s exact headers', async () => {
    const ok = await call({ port, path: '/orders/9', headers: bearer() })
    assert.equal(ok.status, 200)
    assert.equal(JSON.parse(ok.body).subject, 'alice')
    const no = await call({ port, path: '/orders/9' })
    assert.equal(no.status, 401)
    assert.deepEqual(fieldValues(no.rawHeaders, 'www-authenticate'), ['Bearer realm="api"'])
    assert.equal(JSON.parse(no.body).code, 'credentials_missing')
  })

  test('HTTPS: mTLS + JWT on one route (the chain from the TLS socket), RFC 9421 with @scheme https', async () => {
    const tlsServer = https.createServer(TLS_SERVER, application(gate()))
    const tlsPort = await listen(tlsServer)
    try {
      const payment = '{"amount":5}'
      const post = (headers, cert) => call({ port: tlsPort, path: '/payments', method: 'POST', tls: true, cert, headers: { 'content-type': 'application/json', ...headers }, body: payment })
      const ok = await post(bearer(), clientCert)
      assert.equal(ok.status, 200, ok.body)
      const got = JSON.parse(ok.body)
      assert.deepEqual([got.subject, got.satisfied, got.body], ['alice', ['tokens', 'edge'], { amount: 5 }])
      assert.equal((await post(bearer())).status, 401)
      assert.equal((await post({}, clientCert)).status, 401)
      const rogue = await post(bearer(), rogueCert)
      assert.equal(rogue.status, 401)
      assert.match(JSON.parse(rogue.body).code, /^mtls_/)

      const body = Buffer.from('{"partner":2}')
      const signed = await call({ port: tlsPort, path: '/partners', method: 'POST', tls: true, headers: httpsigHeaders('https', `127.0.0.1:${tlsPort}`, '/partners', body), body })
      assert.equal(signed.status, 200, signed.body)
    } finally {
      await close(tlsServer)
    }
  })
})

// The module resolves from the package root too (no stray relative path in the export).
test('portcullis/express resolves to the package file', () => {
  assert.equal(require.resolve('portcullis/express'), path.join(__dirname, '..', 'express.js'))
})
