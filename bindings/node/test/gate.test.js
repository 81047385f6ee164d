'use strict'
// The gate through the Node binding: loading (file, TOML, JSON, base folder, secrets), load
// errors with path/line/column, decisions (sync and async, headers, problem bodies), reload
// and the shared API key ring. Audit: gate-audit.test.js; the generic Verifier:
// verifier.test.js; gate.json: gate-vectors.test.js.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { portcullis } = require('../test-support/helpers')
const { native } = require('../gate.js')
const { NOW, JWT_SECRET, SECRETS, WHSEC, PEPPER, CONFIG, CONFIG_JSON, jwtKey, token, request, bearer, gate, tempDir, DECISION_KEYS, PRINCIPAL_KEYS } = require('../test-support/gate')
const { Gate, JwtVerifier, JwtKeySet, jwtEncode, ApiKeyRing } = portcullis

// ---- loading ------------------------------------------------------------------------------

test('fromToml, fromJson and fromFile load the same gate', () => {
  const dir = tempDir()
  try {
    const file = path.join(dir, 'gate.json')
    fs.writeFileSync(file, JSON.stringify(CONFIG_JSON))
    const gates = [gate(), Gate.fromJson(JSON.stringify(CONFIG_JSON), { secrets: SECRETS }), Gate.fromFile(file, { secrets: SECRETS })]
    for (const g of gates) {
      assert.deepEqual(g.credentialNames(), ['hooks', 'keys', 'ops', 'tokens'])
      assert.deepEqual(g.routeNames(), ['health', 'orders', 'ops', 'hooks', 'limited'])
      const d = g.check(bearer('/orders/7'))
      assert.equal(d.allowed, true)
      assert.equal(d.principal.subject, 'alice')
      assert.deepEqual(g.check(request('GET', '/orders/7')).code, 'credentials_missing')
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

function keyFiles(dir) {
  const ring = new ApiKeyRing({ pepper: Buffer.from(PEPPER) })
  const issued = ring.generate({ subject: 'svc', scopes: ['orders:read'], now: NOW })
  fs.writeFileSync(path.join(dir, 'keys.jsonl'), issued.record.toJson() + '\n')
  const config = CONFIG.replace('pepper = "secret:pepper"', 'pepper = "secret:pepper"\nrecords_file = "keys.jsonl"')
  return { key: issued.key, config }
}

test('fromFile reads relative paths from the file\'s folder; fromToml from baseDir', () => {
  const dir = tempDir()
  try {
    const { key, config } = keyFiles(dir)
    const file = path.join(dir, 'gate.toml')
    fs.writeFileSync(file, config)
    const byKey = request('GET', '/orders/1', [['x-api-key', key]])
    for (const g of [Gate.fromFile(file, { secrets: SECRETS }), Gate.fromToml(config, { secrets: SECRETS, baseDir: dir })]) {
      const d = g.check(byKey)
      assert.equal(d.allowed, true, d.code)
      assert.equal(d.credential, 'keys')
      assert.equal(d.principal.subject, 'svc')
    }
    // Without the base folder the relative file is looked up elsewhere and is not there.
    assert.throws(() => Gate.fromToml(config, { secrets: SECRETS, baseDir: os.tmpdir() + '/portcullis-nowhere' }), (e) => {
      assert.equal(e.code, 'config_invalid')
      assert.equal(e.path, 'credentials.keys.records_file')
      return true
    })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('secrets come from the options; a missing secret is a load error naming it', () => {
  assert.throws(() => Gate.fromToml(CONFIG), (e) => {
    assert.equal(e.code, 'config_invalid')
    assert.match(e.detail, /^credentials\.(hooks|keys|tokens)\..*no secret named/)
    return true
  })
  assert.throws(() => Gate.fromToml(CONFIG, { secrets: { ...SECRETS, jwt: 'short' } }), (e) => {
    assert.equal(e.code, 'jwt_key_invalid')
    assert.ok(!e.detail.includes('short'), e.detail)
    return true
  })
})

test('load errors carry code, detail, path, line and column', () => {
  const text = 'version = 1\n[credentials.tokens]\nmethod = "jwt"\naudience = ["api"]\nkeys = { static = [] }\n[[routes]]\npath = "/"\nrequire = "tokens"\n'
  assert.throws(() => Gate.fromToml(text, { secrets: SECRETS }), (e) => {
    assert.ok(e instanceof Error)
    assert.equal(e.code, 'config_invalid')
    assert.equal(typeof e.number, 'number')
    assert.equal(typeof e.httpStatus, 'number')
    assert.equal(e.path, 'credentials.tokens.audience')
    assert.equal(e.line, 4)
    assert.equal(typeof e.column, 'number')
    assert.equal(e.detail, `${e.path}: ${e.detail.slice(e.path.length + 2, e.detail.lastIndexOf(' (line'))} (line ${e.line}, column ${e.column})`)
    assert.match(e.detail, /unknown field `audience`/)
    return true
  })
  assert.throws(() => Gate.fromJson('{"version": 1, "credentials": {}, "routes": [}', {}), (e) => {
    assert.equal(e.code, 'json_invalid')
    assert.equal(typeof e.line, 'number')
    return true
  })
  assert.throws(() => Gate.fromToml('version = 2\ncredentials = {}\n[[routes]]\npath = "/"\nrequire = { anonymous = true }\n'), (e) => {
    assert.equal(e.code, 'config_invalid')
    assert.equal(e.path, 'version')
    assert.equal(e.line, 1)
    assert.equal(e.detail, `version: unsupported version 2 (this library reads 1) (line 1, column ${e.column})`)
    return true
  })
  // A secret written into the configuration is refused without being repeated.
  const inline = CONFIG.replace('secrets = ["secret:whsec"]', `secrets = ["${WHSEC}"]`)
  assert.throws(() => Gate.fromToml(inline, { secrets: SECRETS }), (e) => {
    assert.equal(e.path, 'credentials.hooks.secrets[0]')
    for (const text of [e.message, e.detail, e.stack, JSON.stringify(e)]) assert.ok(!text.includes('MfKQ9r8'), text)
    return true
  })
  assert.throws(() => Gate.fromFile('/nonexistent/portcullis/gate.toml'), (e) => {
    assert.equal(e.code, 'config_invalid')
    assert.equal(e.line, null)
    assert.equal(e.column, null)
    return true
  })
})

test('options are checked: unknown names, wrong types, secrets never echoed', () => {
  assert.throws(() => Gate.fromToml(CONFIG, { secret: SECRETS }), /unknown option `secret`/)
  assert.throws(() => Gate.fromFile('gate.toml', { baseDir: '/' }), /unknown option `baseDir` \(expected one of: secrets, audit, auditBatch\)/)
  assert.throws(() => Gate.fromToml(CONFIG, { secrets: { jwt: 12345 } }), (e) => {
    assert.match(e.message, /the value of `jwt` must be a string/)
    assert.ok(!e.message.includes('12345'))
    return true
  })
  assert.throws(() => Gate.fromToml(CONFIG, { secrets: SECRETS, audit: 'log' }), /option `audit` must be a function/)
  assert.throws(() => Gate.fromToml(CONFIG, { secrets: SECRETS, baseDir: 7 }), /option `baseDir` must be a string/)
  assert.throws(() => Gate.fromToml(CONFIG, []), /options must be a plain object/)
  // `undefined` and `null` options and members are the defaults.
  assert.ok(Gate.fromToml(CONFIG, { secrets: SECRETS, audit: undefined, baseDir: null }))
  assert.throws(() => Gate.fromToml(CONFIG, null), (e) => /no secret named/.test(e.detail))
})

test('schema() is docs/gate.schema.json', () => {
  const file = path.resolve(__dirname, '..', '..', '..', 'docs', 'gate.schema.json')
  assert.equal(Gate.schema(), fs.readFileSync(file, 'utf8').trimEnd())
  assert.equal(JSON.parse(Gate.schema()).title, 'portcullis gate configuration')
})

// ---- decisions ----------------------------------------------------------------------------

test('an allowed decision: route, params, credential, principal as verifiers give it', () => {
  const g = gate()
  const req = bearer('/orders/7', 'orders:read other')
  const d = g.check(req)
  assert.deepEqual(Object.keys(d), DECISION_KEYS)
  assert.deepEqual(Object.keys(d.principal), PRINCIPAL_KEYS)
  assert.equal(d.allowed, true)
  assert.equal(d.status, 200)
  assert.equal(d.route, 'orders')
  assert.deepEqual(d.params, { id: '7' })
  assert.equal(d.credential, 'tokens')
  assert.deepEqual(d.satisfied, ['tokens'])
  assert.equal(d.anonymous, false)
  assert.equal(d.code, null)
  assert.equal(d.message, null)
  assert.deepEqual(d.challenges, [])
  assert.deepEqual(d.headers, [])
  assert.equal(d.retryAfter, null)
  assert.equal(d.problem, null)
  // The same principal a JwtVerifier gives for the token.
  const keys = new JwtKeySet()
  keys.insert(jwtKey)
  const direct = new JwtVerifier(keys, { audiences: ['api'] }).verify(req)
  assert.deepEqual(d.principal, direct)
})

test('a denial: status, code, message, challenges, headers, problem', () => {
  const d = gate().check(request('GET', '/orders/7'))
  assert.deepEqual(Object.keys(d), DECISION_KEYS)
  assert.equal(d.allowed, false)
  assert.equal(d.status, 401)
  assert.equal(d.route, 'orders')
  assert.equal(d.code, 'credentials_missing')
  assert.equal(typeof d.message, 'string')
  assert.equal(d.principal, null)
  assert.equal(d.credential, null)
  assert.equal(d.anonymous, false)
  // The JWT and API key challenges are the same (Bearer, realm "api"): sent once.
  assert.deepEqual(d.challenges, ['Bearer realm="api"'])
  assert.deepEqual(d.headers, [['WWW-Authenticate', 'Bearer realm="api"'], ['Content-Type', 'application/problem+json']])
  assert.deepEqual(JSON.parse(d.problem), {
    type: 'urn:portcullis:error:credentials_missing',
    title: d.message,
    status: 401,
    code: 'credentials_missing',
  })

  const ops = gate().check(request('GET', '/ops'))
  assert.deepEqual(ops.challenges, ['Bearer realm="api"', 'Basic realm="ops", charset="UTF-8"'])
  assert.deepEqual(ops.headers.map(([n]) => n), ['WWW-Authenticate', 'WWW-Authenticate', 'Content-Type'])

  const scope = gate().check(bearer('/orders/7', 'other'))
  assert.equal(scope.status, 403)
  assert.equal(scope.code, 'scope_insufficient')
  assert.match(scope.challenges[0], /insufficient_scope/)

  const none = gate().check(bearer('/nowhere'))
  assert.equal(none.status, 403)
  assert.equal(none.code, 'route_unmatched')
  assert.equal(none.route, null)
})

test('anonymous routes allow without a principal', () => {
  const d = gate().check(request('GET', '/health'))
  assert.equal(d.allowed, true)
  assert.equal(d.anonymous, true)
  assert.equal(d.principal, null)
  assert.equal(d.credential, null)
  assert.equal(d.route, 'health')
})

test('rate limits: RateLimit headers, then 429 with Retry-After', () => {
  const g = gate()
  const req = bearer('/limited')
  const first = g.check(req)
  assert.equal(first.allowed, true)
  assert.deepEqual(first.headers.map(([n]) => n), ['RateLimit-Policy', 'RateLimit'])
  assert.equal(g.check(req).allowed, true)
  const third = g.check(req)
  assert.equal(third.status, 429)
  assert.equal(third.code, 'rate_limited')
  assert.equal(typeof third.retryAfter, 'number')
  assert.ok(third.headers.some(([n, v]) => n === 'Retry-After' && v === String(third.retryAfter)))
  assert.equal(JSON.parse(third.problem).status, 429)
})

test('check (JSON path) gives the native object member for member, async too', async () => {
  const cases = [
    () => bearer('/orders/7'),
    () => request('GET', '/orders/7'),
    () => bearer('/orders/7', 'other'),
    () => request('GET', '/health'),
    () => bearer('/nowhere'),
    () => request('GET', '/orders/%2e%2e/x'),
  ]
  const g = gate()
  for (const make of cases) {
    const want = native.check.call(g, make())
    assert.deepEqual(g.check(make()), want)
    assert.deepEqual(await g.checkAsync(make()), want)
    assert.deepEqual(await native.checkAsync.call(g, make()), want)
  }
})

test('a principal whose claims JSON cannot carry exactly comes back as the object', () => {
  const g = gate()
  const big = '18446744073709551615'
  const t = jwtEncode({ sub: 'alice', aud: 'api', exp: NOW + 60, scope: 'orders:read' }, jwtKey).split('.')
  // Re-sign a payload holding an integer above i64::MAX (jwtEncode would write it as a float).
  const payload = Buffer.from(`{"sub":"alice","aud":"api","exp":${NOW + 60},"scope":"orders:read","n":${big}}`).toString('base64url')
  const crypto = require('node:crypto')
  const sig = crypto.createHmac('sha256', JWT_SECRET).update(`${t[0]}.${payload}`).digest('base64url')
  const req = request('GET', '/orders/1', [['authorization', `Bearer ${t[0]}.${payload}.${sig}`]])
  const d = g.check(req)
  assert.equal(d.allowed, true, d.code)
  assert.deepEqual(d, native.check.call(g, req))
  assert.equal(d.principal.claims.n, native.check.call(g, req).principal.claims.n)
})

test('checkAsync runs Basic password checks off the event loop', async () => {
  const g = gate()
  const basic = (pw) => request('GET', '/ops', [['authorization', 'Basic ' + Buffer.from(`bob:${pw}`).toString('base64')]])
  const ok = await g.checkAsync(basic('pw-bob'))
  assert.equal(ok.allowed, true, ok.code)
  assert.equal(ok.credential, 'ops')
  assert.equal(ok.principal.subject, 'bob')
  assert.equal(ok.principal.method, 'basic')
  const wrong = await g.checkAsync(basic('nope'))
  assert.equal(wrong.status, 401)
  assert.equal(wrong.code, 'basic_invalid_credentials')
  assert.deepEqual(wrong.challenges, ['Basic realm="ops", charset="UTF-8"', 'Bearer realm="api"'])
  assert.deepEqual(await Promise.all([g.checkAsync(basic('pw-bob')), g.checkAsync(basic('pw-bob'))]), [ok, ok])
})

test('the caller\'s scopes join the route\'s, sync and async; mayBlock tells slow gates', async () => {
  const g = gate()
  const held = bearer('/orders/7', 'orders:read orders:audit')
  assert.equal(g.check(held, ['orders:audit']).allowed, true)
  assert.equal((await g.checkAsync(held, ['orders:audit'])).allowed, true)
  const lacking = g.check(bearer('/orders/7', 'orders:read'), ['orders:audit'])
  assert.equal(lacking.status, 403)
  assert.equal(lacking.code, 'scope_insufficient')
  assert.match(lacking.challenges[0], /scope="orders:read orders:audit"/)
  assert.equal(g.check(request('GET', '/health'), ['x']).code, 'scope_insufficient')
  assert.equal(g.check(bearer('/orders/7', 'orders:read'), ['a b']).code, 'invalid_argument')
  assert.equal(g.check(bearer('/orders/7', 'orders:read'), undefined).allowed, true)
  assert.throws(() => g.check(request('GET', '/health'), 'orders:read'))
  assert.throws(() => g.check(request('GET', '/health'), [1]))
  assert.equal(g.mayBlock, true) // the `ops` credential hashes passwords
  const fast = Gate.fromToml('[credentials.t]\nmethod = "jwt"\nkeys = { static = [{ alg = "HS256", secret = "secret:jwt" }] }\n[[routes]]\npath = "/x"\nrequire = "t"\n', { secrets: SECRETS })
  assert.equal(fast.mayBlock, false)
})

test('check refuses what is not a Request', () => {
  const g = gate()
  assert.throws(() => g.check({ method: 'GET', target: '/' }))
  assert.throws(() => g.checkAsync('GET /'))
})

// ---- reload -------------------------------------------------------------------------------

test('reload swaps the configuration; a failed reload keeps the running one', () => {
  const dir = tempDir()
  try {
    const g = gate()
    const next = CONFIG.replace('name = "health"\npath = "/health"', 'name = "status"\npath = "/status"')
    g.reloadToml(next)
    assert.deepEqual(g.routeNames(), ['status', 'orders', 'ops', 'hooks', 'limited'])
    assert.equal(g.check(request('GET', '/status')).allowed, true)
    assert.equal(g.check(request('GET', '/health')).code, 'route_unmatched')

    assert.throws(() => g.reloadToml(next.replace('quota = 2', 'quota = "two"')), (e) => {
      assert.equal(e.code, 'config_invalid')
      assert.equal(e.path, 'rate_limits.two.quota')
      assert.equal(typeof e.line, 'number')
      return true
    })
    assert.throws(() => g.reloadJson('{'), (e) => e.code === 'json_invalid')
    assert.deepEqual(g.routeNames(), ['status', 'orders', 'ops', 'hooks', 'limited'])
    assert.equal(g.check(request('GET', '/status')).allowed, true)

    g.reloadJson(JSON.stringify(CONFIG_JSON))
    assert.equal(g.check(request('GET', '/health')).allowed, true)

    const file = path.join(dir, 'gate.toml')
    fs.writeFileSync(file, next)
    g.reloadFile(file)
    assert.equal(g.check(request('GET', '/status')).allowed, true)
    assert.throws(() => g.reloadFile(path.join(dir, 'missing.toml')), (e) => e.code === 'config_invalid')
    assert.equal(g.check(request('GET', '/status')).allowed, true)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

// ---- the API key ring -----------------------------------------------------------------------

test('apiKeyRing is the gate\'s own ring: inserts and revocations take effect at once', () => {
  const g = gate()
  const ring = g.apiKeyRing('keys')
  assert.ok(ring instanceof ApiKeyRing)
  assert.equal(g.apiKeyRing('tokens'), null)
  assert.equal(g.apiKeyRing('nope'), null)
  const issued = ring.generate({ subject: 'svc', scopes: ['orders:read'], now: NOW })
  const req = request('GET', '/orders/3', [['x-api-key', issued.key]])
  assert.equal(g.check(req).code, 'apikey_unknown')
  ring.insert(issued.record)
  assert.equal(g.apiKeyRing('keys').size, 1)
  const d = g.check(req)
  assert.equal(d.allowed, true, d.code)
  assert.equal(d.credential, 'keys')
  assert.equal(d.principal.subject, 'svc')
  assert.equal(d.principal.method, 'api_key')
  // A reload that leaves the credential as it was keeps the ring and its keys.
  g.reloadToml(CONFIG.replace('name = "health"', 'name = "healthz"'))
  assert.equal(g.check(req).allowed, true)
  g.apiKeyRing('keys').revoke(issued.record.keyId, NOW - 1)
  assert.equal(g.check(req).code, 'apikey_revoked')
})

