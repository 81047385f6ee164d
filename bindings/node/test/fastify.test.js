'use strict'
// portcullis/fastify: the plugin in a real Fastify 5 application, through `fastify.inject`,
// once more over loopback HTTP (Node's client), and over HTTPS with client certificates
// (mTLS + JWT on one route). Per-route settings, the hook option, raw bodies, refusals.

const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')

const Fastify = require('fastify')

const { JwtKey, jwtEncode, Request } = require('..')
const portcullisPlugin = require('portcullis/fastify')
const { NOW, TLS_SERVER, clientCert, rogueCert, gate, slowGate, bearer, basic, webhookHeaders, pcs1Headers, httpsigHeaders, call, fieldValues } = require('../test-support/adapters')

/** What every handler answers: the decision as the handler sees it, and the body it got. */
async function echo(request) {
  const a = request.auth
  if (a === null) return { auth: null, rawLength: request.rawBody === null ? null : request.rawBody.length }
  return {
    allowed: a.allowed,
    status: a.status,
    code: a.code,
    route: a.route,
    subject: a.principal === null ? null : a.principal.subject,
    anonymous: a.anonymous,
    satisfied: a.satisfied,
    body: request.body ?? null,
    rawLength: request.rawBody === null ? null : request.rawBody.length,
  }
}

async function application(g, options = {}, serverOptions = {}) {
  const app = Fastify(serverOptions)
  await app.register(portcullisPlugin, { gate: g, now: NOW, ...options })
  for (const url of ['/health', '/catalog', '/either', '/limited', '/orders/:id']) app.get(url, echo)
  app.get('/maybe', { config: { portcullis: { required: false } } }, echo)
  app.post('/orders/:id', { config: { portcullis: { scopes: ['orders:write'] } } }, echo)
  for (const url of ['/upload', '/webhooks', '/signed', '/partners', '/payments']) app.post(url, echo)
  // Not checked at all (the gate has no such route: checked, it would be refused).
  app.get('/skipped', { config: { portcullis: false } }, echo)
  app.post('/skipped', { config: { portcullis: false } }, echo)
  return app
}

let app
test.before(async () => {
  app = await application(gate())
})
test.after(() => app.close())

function problemOf(res) {
  assert.equal(res.headers['content-type'], 'application/problem+json')
  return JSON.parse(res.body)
}

test('the package exports portcullis/fastify, with fastify-plugin\'s markers', () => {
  assert.equal(portcullisPlugin, require('../fastify.js'))
  assert.equal(portcullisPlugin.default, portcullisPlugin)
  assert.equal(portcullisPlugin[Symbol.for('skip-override')], true)
  assert.equal(portcullisPlugin[Symbol.for('fastify.display-name')], 'portcullis')
  assert.equal(require.resolve('portcullis/fastify'), path.join(__dirname, '..', 'fastify.js'))
  const pkg = require('../package.json')
  for (const f of ['adapter.js', 'fastify.js', 'fastify.d.ts']) assert.ok(pkg.files.includes(f), f)
})

test('allowed: the principal on request.auth', async () => {
  const res = await app.inject({ method: 'GET', url: '/orders/7?x=1', headers: bearer() })
  assert.equal(res.statusCode, 200)
  assert.deepEqual(res.json(), {
    allowed: true, status: 200, code: null, route: 'orders', subject: 'alice', anonymous: false, satisfied: ['tokens'], body: null, rawLength: null,
  })
})

test('401: missing and bad credentials, WWW-Authenticate and the problem body', async () => {
  const missing = await app.inject({ url: '/orders/7' })
  assert.equal(missing.statusCode, 401)
  assert.equal(missing.headers['www-authenticate'], 'Bearer realm="api"')
  assert.deepEqual(problemOf(missing), { type: 'urn:portcullis:error:credentials_missing', title: 'Authentication required.', status: 401, code: 'credentials_missing' })

  const forged = jwtEncode({ sub: 'alice', aud: 'api', exp: NOW + 600 }, JwtKey.fromSecret(Buffer.from('another-secret-0123456789abcdef-0123'), 'HS256'))
  const bad = await app.inject({ url: '/orders/7', headers: { authorization: `Bearer ${forged}` } })
  assert.equal(bad.statusCode, 401)
  assert.match(bad.headers['www-authenticate'], /^Bearer realm="api", error="invalid_token"/)
  assert.equal(problemOf(bad).code, 'jwt_signature_invalid')

  const two = await app.inject({ url: '/either' })
  assert.equal(two.statusCode, 401)
  const expected = gate().check(new Request({ method: 'GET', target: '/either', now: NOW })).headers
  assert.deepEqual(two.headers['www-authenticate'], expected.filter(([n]) => n === 'WWW-Authenticate').map(([, v]) => v))
})

test('403 insufficient_scope from route config and plugin scopes, enforced by the gate', async () => {
  const res = await app.inject({ method: 'POST', url: '/orders/7', headers: bearer({ scope: 'orders:read' }) })
  assert.equal(res.statusCode, 403)
  assert.equal(problemOf(res).code, 'scope_insufficient')
  assert.match(res.headers['www-authenticate'], /error="insufficient_scope"/)
  assert.match(res.headers['www-authenticate'], /scope="orders:read orders:write"/)
  const ok = await app.inject({ method: 'POST', url: '/orders/7', headers: bearer({ scope: 'orders:read orders:write' }) })
  assert.equal(ok.statusCode, 200)

  const strict = await application(gate(), { scopes: ['audit'] })
  try {
    const denied = await strict.inject({ url: '/orders/1', headers: bearer() })
    assert.equal(denied.statusCode, 403)
    assert.match(denied.headers['www-authenticate'], /scope="orders:read audit"/)
    // The route's scopes add to the plugin's.
    const both = await strict.inject({ method: 'POST', url: '/orders/1', headers: bearer({ scope: 'orders:read orders:write' }) })
    assert.equal(both.statusCode, 403)
    const all = await strict.inject({ method: 'POST', url: '/orders/1', headers: bearer({ scope: 'orders:read orders:write audit' }) })
    assert.equal(all.statusCode, 200)
  } finally {
    await strict.close()
  }
})

test('429 with Retry-After once the rate limit is spent', async () => {
  const who = bearer({ sub: 'fastify-limited' })
  assert.equal((await app.inject({ url: '/limited', headers: who })).statusCode, 200)
  assert.equal((await app.inject({ url: '/limited', headers: who })).statusCode, 200)
  const res = await app.inject({ url: '/limited', headers: who })
  assert.equal(res.statusCode, 429)
  assert.match(res.headers['retry-after'], /^[1-9][0-9]*$/)
  assert.equal(problemOf(res).code, 'rate_limited')
})

test('optional (required: false on the route), optional and anonymous gate routes, a skipped route', async () => {
  const none = (await app.inject({ url: '/maybe' })).json()
  assert.deepEqual([none.allowed, none.status, none.code], [false, 401, 'credentials_missing'])
  const good = (await app.inject({ url: '/maybe', headers: bearer() })).json()
  assert.deepEqual([good.allowed, good.subject], [true, 'alice'])
  const anon = (await app.inject({ url: '/catalog' })).json()
  assert.deepEqual([anon.allowed, anon.anonymous, anon.subject], [true, true, null])
  assert.equal((await app.inject({ url: '/catalog', headers: { authorization: 'Bearer nope' } })).statusCode, 401)
  assert.equal((await app.inject({ url: '/health' })).json().anonymous, true)
  assert.deepEqual((await app.inject({ url: '/skipped' })).json(), { auth: null, rawLength: null })
  // A skipped route's body is left to Fastify: not read by the plugin.
  const posted = await app.inject({ method: 'POST', url: '/skipped', headers: { 'content-type': 'application/json' }, payload: '{"a":1}' })
  assert.deepEqual(posted.json(), { auth: null, rawLength: null })
  // A path Fastify does not know is still checked (the gate has no route for it: 403).
  assert.equal((await app.inject({ url: '/nowhere' })).statusCode, 403)
})

test('webhook, PCS1 and RFC 9421 over the raw bytes; Fastify still parses the JSON', async () => {
  const text = '{"type": "invoice.paid",  "id":"in_1"}'
  const hook = await app.inject({ method: 'POST', url: '/webhooks', headers: { ...webhookHeaders(text), 'content-type': 'application/json' }, payload: text })
  assert.equal(hook.statusCode, 200, hook.body)
  assert.deepEqual([hook.json().body, hook.json().rawLength], [{ type: 'invoice.paid', id: 'in_1' }, Buffer.byteLength(text)])
  const tampered = await app.inject({ method: 'POST', url: '/webhooks', headers: { ...webhookHeaders(text), 'content-type': 'application/json' }, payload: '{"type":"invoice.paid","id":"in_1"}' })
  assert.equal(tampered.statusCode, 401)
  assert.equal(problemOf(tampered).code, 'signature_mismatch')

  const order = Buffer.from('{"sku":"X1","qty":2}')
  const signed = await app.inject({ method: 'POST', url: '/signed', headers: pcs1Headers('localhost:80', '/signed', order), payload: order })
  assert.equal(signed.statusCode, 200, signed.body)
  assert.deepEqual([signed.json().subject, signed.json().body], ['svc', { sku: 'X1', qty: 2 }])

  const body = Buffer.from('{"partner":1}')
  const partner = await app.inject({ method: 'POST', url: '/partners', headers: httpsigHeaders('http', 'localhost:80', '/partners', body), payload: body })
  assert.equal(partner.statusCode, 200, partner.body)
  assert.deepEqual(partner.json().body, { partner: 1 })
})

test('a body over maxBodyBytes is refused (413) before Fastify parses it', async () => {
  const big = Buffer.alloc(1024 * 1024 + 1, 0x20)
  const res = await app.inject({ method: 'POST', url: '/upload', headers: { ...bearer(), 'content-type': 'application/json' }, payload: big })
  assert.equal(res.statusCode, 413)
  assert.equal(problemOf(res).code, 'input_too_large')
  const small = await application(gate(), { maxBodyBytes: 16 })
  try {
    const over = await small.inject({ method: 'POST', url: '/upload', headers: { ...bearer(), 'content-type': 'application/json' }, payload: '{"a":"0123456789"}' })
    assert.equal(over.statusCode, 413)
    const fits = await small.inject({ method: 'POST', url: '/upload', headers: { ...bearer(), 'content-type': 'application/json' }, payload: '{"a":1}' })
    assert.deepEqual([fits.statusCode, fits.json().body, fits.json().rawLength], [200, { a: 1 }, 7])
  } finally {
    await small.close()
  }
})

test('the hook option: checked in preHandler (other hooks first), the body still seen raw', async () => {
  for (const hook of ['preParsing', 'preValidation', 'preHandler']) {
    const late = await application(gate(), { hook })
    try {
      const order = []
      late.addHook('onRequest', async () => {
        order.push('onRequest')
      })
      assert.equal((await late.inject({ url: '/orders/1' })).statusCode, 401, hook)
      const ok = await late.inject({ url: '/orders/1', headers: bearer() })
      assert.equal(ok.json().subject, 'alice', hook)
      const text = '{"id":"in_2"}'
      const hooked = await late.inject({ method: 'POST', url: '/webhooks', headers: { ...webhookHeaders(text), 'content-type': 'application/json' }, payload: text })
      assert.equal(hooked.statusCode, 200, `${hook}: ${hooked.body}`)
      assert.deepEqual(hooked.json().body, { id: 'in_2' })
      assert.equal((await late.inject({ method: 'POST', url: '/webhooks', headers: { 'content-type': 'application/json' }, payload: text })).statusCode, 401, hook)
      assert.equal(order.length, 4, hook)
    } finally {
      await late.close()
    }
  }
})

test('a gate call that throws is a 500 refusal, even with required: false; nothing of the error is shown', async () => {
  const broken = {
    mayBlock: false,
    check() {
      throw new Error('secret detail 0xdeadbeef')
    },
    checkAsync() {
      return Promise.reject(new Error('secret detail 0xdeadbeef'))
    },
  }
  for (const g of [broken, { ...broken, mayBlock: true }]) {
    const b = await application(g, { required: false })
    try {
      const res = await b.inject({ url: '/orders/1' })
      assert.equal(res.statusCode, 500)
      assert.deepEqual(JSON.parse(res.body), { type: 'urn:portcullis:error:internal', title: 'Internal error.', status: 500, code: 'internal' })
    } finally {
      await b.close()
    }
  }
})

test('options and route settings are checked', async () => {
  const g = gate()
  for (const [options, message] of [
    [{ gate: {} }, /expected a portcullis Gate/],
    [{ gate: g, scope: [] }, /unknown option `scope`/],
    [{ gate: g, hook: 'onSend' }, /option `hook` must be one of/],
    [{ gate: g, scopes: ['a', 1] }, /array of strings/],
  ]) {
    const f = Fastify()
    await assert.rejects(async () => {
      await f.register(portcullisPlugin, options)
      await f.ready()
    }, message)
    await f.close()
  }
  const f = Fastify()
  await f.register(portcullisPlugin, { gate: g })
  assert.throws(() => f.get('/x', { config: { portcullis: { scope: ['a'] } } }, echo), /unknown config.portcullis option `scope`/)
  assert.throws(() => f.get('/y', { config: { portcullis: true } }, echo), /must be false or an object/)
  await f.close()
})

test('a slow credential (mayBlock) is checked off the event loop: a concurrent request is not held', async () => {
  const g = slowGate()
  assert.equal(g.mayBlock, true)
  const slow = await application(g)
  slow.get('/ops', echo)
  await slow.listen({ port: 0, host: '127.0.0.1' })
  try {
    const { port } = slow.server.address()
    const done = []
    const first = call({ port, path: '/ops', headers: basic('bob', 'pw-bob') }).then((r) => done.push('slow') && r)
    await new Promise((resolve) => setTimeout(resolve, 5))
    const second = call({ port, path: '/orders/1', headers: bearer() }).then((r) => done.push('fast') && r)
    const [s, f] = await Promise.all([first, second])
    assert.equal(s.status, 200)
    assert.equal(JSON.parse(s.body).subject, 'bob')
    assert.equal(f.status, 200)
    assert.deepEqual(done, ['fast', 'slow'])
  } finally {
    await slow.close()
  }
})

test.describe('over real loopback HTTP and HTTPS', () => {
  test('HTTP: allowed, refused with one WWW-Authenticate field per challenge', async () => {
    const live = await application(gate())
    await live.listen({ port: 0, host: '127.0.0.1' })
    try {
      const { port } = live.server.address()
      const ok = await call({ port, path: '/orders/9', headers: bearer() })
      assert.equal(ok.status, 200)
      assert.equal(JSON.parse(ok.body).subject, 'alice')
      const two = await call({ port, path: '/either' })
      assert.equal(two.status, 401)
      assert.deepEqual(fieldValues(two.rawHeaders, 'www-authenticate'), ['Bearer realm="api"', 'PCS1-HMAC-SHA256 realm="api", headers="host;content-type"'])
      assert.deepEqual(fieldValues(two.rawHeaders, 'content-type'), ['application/problem+json'])
      assert.equal(JSON.parse(two.body).code, 'credentials_missing')
      const order = Buffer.from('{"sku":"X2"}')
      const signed = await call({ port, path: '/signed', method: 'POST', headers: pcs1Headers(`127.0.0.1:${port}`, '/signed', order), body: order })
      assert.equal(signed.status, 200, signed.body)
    } finally {
      await live.close()
    }
  })

  test('HTTPS: mTLS + JWT on one route (the chain from the TLS socket), RFC 9421 with @scheme https', async () => {
    const live = await application(gate(), {}, { https: TLS_SERVER })
    await live.listen({ port: 0, host: '127.0.0.1' })
    try {
      const { port } = live.server.address()
      const payment = '{"amount":5}'
      const post = (headers, cert) => call({ port, path: '/payments', method: 'POST', tls: true, cert, headers: { 'content-type': 'application/json', ...headers }, body: payment })
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
      const signed = await call({ port, path: '/partners', method: 'POST', tls: true, headers: httpsigHeaders('https', `127.0.0.1:${port}`, '/partners', body), body })
      assert.equal(signed.status, 200, signed.body)
    } finally {
      await live.close()
    }
  })
})
