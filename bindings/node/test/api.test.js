'use strict'
// The whole Node surface: requests, API keys, Basic, errors, argument checking, async work.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')

const { portcullis, throwsUnknownOption } = require('../test-support/helpers')
const { ApiKeyRing, ApiKeyRecord, BasicAuth, Request, parseBasic, hashPassword, hashPasswordAsync } =
  portcullis

const NOW = 1767225600
const PEPPER = Buffer.from('test-pepper-0123456789abcdef-0123', 'ascii')
const FAST = { memoryKib: 64, iterations: 1, parallelism: 1 }
// bob:hunter2 (bcrypt cost 5), the same line the demo uses.
const BOB = 'bob:$2y$05$goj0pwBt4vml.1uO7DxaUe6SvNQJFBMjHhANzqU2Ka/UmCfbq6Rzy'

function makeRing(options = {}) {
  return new ApiKeyRing({ pepper: PEPPER, environment: 'live', realm: 'test', ...options })
}

function get(target, headers, now = NOW) {
  return new Request({ method: 'GET', target, headers, now })
}

function bearer(key, now = NOW) {
  return get('/orders', [['Authorization', `Bearer ${key}`]], now)
}

function basicHeader(user, password) {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}

/** Asserts `fn` throws a portcullis error with `code`; returns the error. */
function throwsCode(fn, code) {
  let caught
  assert.throws(fn, (err) => {
    caught = err
    return err instanceof Error && err.code === code
  }, `expected code ${code}`)
  return caught
}

/** Asserts `fn` throws an argument-conversion error (not a portcullis code, not a crash). */
function throwsType(fn) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error, 'an Error')
    assert.equal(err.number, undefined, `no portcullis number on a type error (${err.code}: ${err.message})`)
    return true
  })
}

/** Every text an error exposes, including what a logger would print. */
function errorText(err) {
  return [err.message, err.detail, err.challenge, err.stack, util.inspect(err), JSON.stringify(err)].join('\n')
}

test.describe('exports', () => {
  test('version is the core version', () => {
    assert.match(portcullis.version, /^\d+\.\d+\.\d+/)
  })
})

test.describe('Request', () => {
  test('pairs, Buffer values and getters', () => {
    const r = new Request({
      method: 'POST',
      target: '/a?b=c',
      headers: [['X-One', '1'], ['X-Two', Buffer.from('2')], ['x-one', 'again']],
      body: Buffer.from('{}'),
      peerCertificates: [Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])],
      peerAddress: '203.0.113.7',
      now: NOW,
    })
    assert.equal(r.method, 'POST')
    assert.equal(r.target, '/a?b=c')
    assert.equal(r.now, NOW)
    assert.deepEqual(r.headerNames, ['x-one', 'x-two', 'x-one'])
  })

  test('Node rawHeaders (flat array) and plain-object headers', () => {
    const raw = ['Host', 'example.test', 'X-Api-Key', 'k', 'Accept', '*/*']
    assert.deepEqual(get('/', raw).headerNames, ['host', 'x-api-key', 'accept'])
    const obj = { host: 'example.test', 'set-cookie': ['a=1', 'b=2'], accept: Buffer.from('*/*') }
    assert.deepEqual(get('/', obj).headerNames, ['host', 'set-cookie', 'set-cookie', 'accept'])
    assert.deepEqual(get('/', []).headerNames, [])
  })

  test('invalid HTTP is refused with a code', () => {
    throwsCode(() => new Request({ method: 'G T', target: '/' }), 'request_invalid')
    throwsCode(() => new Request({ method: 'GET', target: '' }), 'request_invalid')
    throwsCode(() => get('/', [['X-A', 'a\r\nb']]), 'request_invalid')
    throwsCode(() => get('/', [['bad name', 'a']]), 'request_invalid')
    throwsCode(() => get('/', [['X-A', 'x'.repeat(17 * 1024)]]), 'input_too_large')
    throwsCode(() => new Request({ method: 'GET', target: '/', peerAddress: 'not-an-ip' }), 'invalid_argument')
    throwsCode(() => new Request({ method: 'GET', target: '/', peerCertificates: [Buffer.alloc(0)] }), 'invalid_argument')
    throwsCode(() => new Request({ method: 'GET', target: '/', now: 1.5 }), 'invalid_argument')
    throwsCode(() => new Request({ method: 'GET', target: '/', now: NaN }), 'invalid_argument')
    throwsCode(() => new Request({ method: 'GET', target: '/', now: Infinity }), 'invalid_argument')
  })

  test('wrong argument types throw, never crash', () => {
    throwsType(() => new Request())
    throwsType(() => new Request(5))
    throwsType(() => new Request({ method: 5, target: '/' }))
    throwsType(() => new Request({ method: 'GET' }))
    throwsType(() => get('/', 5))
    throwsType(() => get('/', 'Authorization: x'))
    throwsType(() => get('/', [['only-name']]))
    throwsType(() => get('/', [['a', 'b', 'c']]))
    throwsType(() => get('/', [['a', 1]]))
    throwsType(() => get('/', [[1, 'a']]))
    throwsType(() => get('/', ['a', 'b', 'c']))
    throwsType(() => get('/', [['a', 'b'], 'c']))
    throwsType(() => get('/', { a: 1 }))
    throwsType(() => get('/', { a: { b: 'c' } }))
    throwsType(() => get('/', Buffer.from('x')))
    throwsType(() => new Request({ method: 'GET', target: '/', body: 'text' }))
    throwsType(() => new Request({ method: 'GET', target: '/', peerCertificates: 'x' }))
    throwsType(() => new Request({ method: 'GET', target: '/', now: '1' }))
  })
})

test.describe('ApiKeyRing', () => {
  test('generate, insert, get, size, remove', () => {
    const ring = makeRing()
    const issued = ring.generate({ subject: 'svc', scopes: ['a', 'b'], metadata: { team: 'x' }, now: NOW })
    assert.match(issued.key, /^pc_live_[0-9A-Za-z]{36}$/)
    assert.ok(issued.record instanceof ApiKeyRecord)
    assert.equal(ring.size, 0)
    ring.insert(issued.record)
    assert.equal(ring.size, 1)
    const got = ring.get(issued.record.keyId)
    assert.equal(got.digest, issued.record.digest)
    assert.equal(ring.get('ak_missing'), null)
    assert.equal(ring.remove(issued.record.keyId), true)
    assert.equal(ring.remove(issued.record.keyId), false)
    assert.equal(ring.size, 0)
  })

  test('bearer, header and query sources', () => {
    const ring = makeRing({ query: 'api_key' })
    const { key, record } = ring.generate({ subject: 'svc', scopes: ['read'], now: NOW })
    ring.insert(record)
    const want = { subject: 'svc', method: 'api_key', credentialId: record.keyId, scopes: ['read'], expiresAt: null }
    const check = (req) => {
      const p = ring.verify(req, ['read'])
      for (const [k, v] of Object.entries(want)) assert.deepEqual(p[k], v, k)
      assert.deepEqual(p.claims, { environment: 'live', metadata: {} })
    }
    check(bearer(key))
    check(get('/orders', [['X-API-Key', key]]))
    check(get('/orders', { 'x-api-key': key }))
    check(get(`/orders?api_key=${key}`, []))
    throwsCode(() => ring.verify(get('/orders', [])), 'credentials_missing')
  })

  test('a custom header, and null turns a source off', () => {
    const ring = makeRing({ header: 'x-token', bearer: true })
    const { key, record } = ring.generate({ now: NOW })
    ring.insert(record)
    assert.equal(ring.verify(get('/', [['X-Token', key]])).credentialId, record.keyId)
    throwsCode(() => ring.verify(get('/', [['X-API-Key', key]])), 'credentials_missing')
    const noHeader = makeRing({ header: null })
    noHeader.insert(record)
    throwsCode(() => noHeader.verify(get('/', [['X-API-Key', key]])), 'credentials_missing')
    assert.equal(noHeader.verify(bearer(key)).subject, record.keyId)
    throwsCode(() => makeRing({ header: null, bearer: false }), 'config_invalid')
  })

  test('rotation overlap', () => {
    const ring = makeRing()
    const old = ring.generate({ subject: 'svc', scopes: ['read'], now: NOW })
    ring.insert(old.record)
    const { issued, previous } = ring.rotate(old.record, { overlap: 60, now: NOW + 100 })
    assert.equal(previous.successor, issued.record.keyId)
    assert.equal(previous.expiresAt, NOW + 160)
    assert.equal(issued.record.subject, 'svc')
    ring.insert(previous)
    ring.insert(issued.record)
    const during = ring.verify(bearer(old.key, NOW + 159), ['read'])
    assert.equal(during.claims.successor, issued.record.keyId)
    const err = throwsCode(() => ring.verify(bearer(old.key, NOW + 160)), 'apikey_rotated')
    assert.equal(err.httpStatus, 401)
    assert.equal(ring.verify(bearer(issued.key, NOW + 10_000)).credentialId, issued.record.keyId)
    throwsCode(() => ring.rotate(previous, { overlap: 0, now: NOW }), 'apikey_rotated')
    throwsCode(() => ring.rotate(issued.record, { overlap: -1 }), 'invalid_argument')
    throwsType(() => ring.rotate(issued.record))
    throwsType(() => ring.rotate({}, { overlap: 1 }))
  })

  test('revoke', () => {
    const ring = makeRing()
    const { key, record } = ring.generate({ now: NOW })
    ring.insert(record)
    const revoked = ring.revoke(record.keyId, NOW + 10)
    assert.equal(revoked.revokedAt, NOW + 10)
    assert.equal(ring.get(record.keyId).revokedAt, NOW + 10)
    assert.equal(ring.verify(bearer(key, NOW + 9)).credentialId, record.keyId)
    const err = throwsCode(() => ring.verify(bearer(key, NOW + 10)), 'apikey_revoked')
    assert.equal(err.message, 'The API key has been revoked.')
    throwsCode(() => ring.revoke('ak_missing', NOW), 'apikey_unknown')
    throwsCode(() => ring.revoke(record.keyId, 0.5), 'invalid_argument')
    assert.equal(typeof ring.revoke(record.keyId).revokedAt, 'number')
  })

  test('lookupDigest + verifyRecord (records kept by the caller)', () => {
    const ring = makeRing()
    const a = ring.generate({ subject: 'a', scopes: ['read'], now: NOW })
    const b = ring.generate({ subject: 'b', now: NOW })
    const db = new Map([a, b].map((i) => [i.record.digest, i.record.toJson()]))
    const req = bearer(a.key)
    const digest = ring.lookupDigest(req)
    assert.equal(digest, a.record.digest)
    const record = ApiKeyRecord.fromJson(db.get(digest))
    const p = ring.verifyRecord(req, record, ['read'])
    assert.equal(p.subject, 'a')
    throwsCode(() => ring.verifyRecord(req, b.record), 'apikey_record_invalid')
    throwsCode(() => ring.verifyRecord(req, record, ['write']), 'scope_insufficient')
    throwsCode(() => ring.lookupDigest(bearer('pc_live_nope')), 'apikey_malformed')
  })

  test('checkFormat and scannerRegex', () => {
    const ring = makeRing()
    const { key } = ring.generate({ now: NOW })
    assert.equal(ring.checkFormat(key), 'live')
    const typo = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A')
    throwsCode(() => ring.checkFormat(typo), 'apikey_checksum_mismatch')
    throwsCode(() => ring.checkFormat('not-a-key'), 'apikey_malformed')
    const plain = new ApiKeyRing({ pepper: PEPPER })
    assert.equal(plain.checkFormat(plain.generate({}).key), null)
    assert.match(key, new RegExp(ring.scannerRegex()))
  })

  test('fromJson and the options constructor agree', () => {
    const a = ApiKeyRing.fromJson('{"prefix":"zz","environment":"test","realm":"r"}', PEPPER)
    const b = new ApiKeyRing({ pepper: PEPPER, prefix: 'zz', environment: 'test', realm: 'r' })
    const { key, record } = a.generate({ now: NOW })
    b.insert(record)
    assert.equal(b.verify(bearer(key)).credentialId, record.keyId)
    const err = throwsCode(() => b.verify(bearer('zz_test_x')), 'apikey_malformed')
    assert.match(err.challenge, /^Bearer realm="r", error="invalid_token"/)
    throwsCode(() => ApiKeyRing.fromJson('{"prefix":', PEPPER), 'json_invalid')
    throwsCode(() => ApiKeyRing.fromJson('{"unknown":1}', PEPPER), 'json_invalid')
  })

  test('configuration and generate options are checked', () => {
    throwsCode(() => new ApiKeyRing({ pepper: Buffer.alloc(8) }), 'config_invalid')
    throwsCode(() => new ApiKeyRing({ pepper: PEPPER, prefix: 'Bad' }), 'config_invalid')
    throwsCode(() => new ApiKeyRing({ pepper: PEPPER, bearer: 'yes' }), 'json_invalid')
    const ring = makeRing()
    throwsCode(() => ring.generate({ environment: 'Prod' }), 'invalid_argument')
    throwsCode(() => ring.generate({ scopes: ['a b'] }), 'invalid_argument')
    throwsCode(() => ring.generate({ now: 1.5 }), 'json_invalid')
  })

  test('wrong argument types throw, never crash', () => {
    const ring = makeRing()
    throwsType(() => new ApiKeyRing())
    throwsType(() => new ApiKeyRing({}))
    throwsType(() => new ApiKeyRing({ pepper: 'a string is not a Buffer' }))
    throwsUnknownOption(() => new ApiKeyRing({ pepper: PEPPER, realms: 'typo' }), 'realms')
    throwsType(() => ApiKeyRing.fromJson(5, PEPPER))
    throwsType(() => ApiKeyRing.fromJson('{}', 'pepper'))
    throwsType(() => ring.generate(5))
    throwsUnknownOption(() => ring.generate({ subjekt: 'x' }), 'subjekt')
    throwsType(() => ring.generate({ metadata: { f: () => 1 } }))
    throwsType(() => ring.generate({ metadata: { n: NaN } }))
    const cyclic = {}
    cyclic.self = cyclic
    throwsType(() => ring.generate({ metadata: cyclic }))
    throwsType(() => ring.verify())
    throwsType(() => ring.verify({ method: 'GET', target: '/' }))
    throwsType(() => ring.verify(bearer('x'), 'read'))
    throwsType(() => ring.verify(bearer('x'), [1]))
    throwsType(() => ring.verifyRecord(bearer('x'), {}))
    throwsType(() => ring.insert({ key_id: 'x' }))
    throwsType(() => ring.insert(bearer('x')))
    throwsType(() => ring.checkFormat(Buffer.from('x')))
    throwsType(() => ring.remove(5))
    throwsType(() => ring.revoke('ak_x', 'soon'))
    throwsType(() => ring.get())
    // Instances of the wrong class are refused by napi's class check, never reinterpreted.
    const { record } = ring.generate({ now: NOW })
    const req = bearer('x')
    throwsType(() => ring.verify(record))
    throwsType(() => ring.insert(req))
    throwsType(() => ring.verifyRecord(req, req))
    throwsType(() => ring.verify(Object.create(Request.prototype)))
    assert.throws(() => ApiKeyRing.prototype.verify.call(new BasicAuth({}), req))
    assert.throws(() => ApiKeyRecord.prototype.toJson.call(req))
  })
})

test.describe('ApiKeyRecord', () => {
  test('JSON round trip and getters', () => {
    const ring = makeRing()
    const { record } = ring.generate({ subject: 's', scopes: ['x'], expiresAt: NOW + 5, metadata: { m: [1, 'two'] }, now: NOW })
    const copy = ApiKeyRecord.fromJson(record.toJson())
    assert.equal(copy.toJson(), record.toJson())
    assert.match(copy.keyId, /^ak_/)
    assert.match(copy.digest, /^[0-9a-f]{64}$/)
    assert.equal(copy.prefix, 'pc')
    assert.equal(copy.environment, 'live')
    assert.equal(copy.subject, 's')
    assert.deepEqual(copy.scopes, ['x'])
    assert.equal(copy.createdAt, NOW)
    assert.equal(copy.expiresAt, NOW + 5)
    assert.equal(copy.revokedAt, null)
    assert.equal(copy.successor, null)
    assert.deepEqual(copy.metadata, { m: [1, 'two'] })
    assert.deepEqual(JSON.parse(copy.toJson()).scopes, ['x'])
  })

  test('bad records are refused', () => {
    throwsCode(() => ApiKeyRecord.fromJson('nope'), 'json_invalid')
    throwsCode(() => ApiKeyRecord.fromJson('{"key_id":"a"}'), 'json_invalid')
    const good = JSON.parse(makeRing().generate({ now: NOW }).record.toJson())
    throwsCode(() => ApiKeyRecord.fromJson(JSON.stringify({ ...good, scopes: ['a b'] })), 'apikey_record_invalid')
    throwsType(() => ApiKeyRecord.fromJson({}))
  })
})

test.describe('errors', () => {
  test('carry code, number, detail, httpStatus, challenge, category and the public message', () => {
    const ring = makeRing()
    const err = throwsCode(() => ring.verify(get('/', [])), 'credentials_missing')
    assert.ok(err instanceof Error)
    assert.equal(err.message, 'Authentication required.')
    assert.equal(err.number, 100)
    assert.equal(err.httpStatus, 401)
    assert.equal(err.category, 'request')
    assert.equal(err.challenge, 'Bearer realm="test"')
    assert.equal(typeof err.detail, 'string')
    const expired = ring.generate({ expiresAt: NOW + 1, now: NOW })
    ring.insert(expired.record)
    const e2 = throwsCode(() => ring.verify(bearer(expired.key, NOW + 1)), 'apikey_expired')
    assert.equal(e2.number, 205)
    assert.equal(e2.category, 'apikey')
    assert.equal(
      e2.challenge,
      'Bearer realm="test", error="invalid_token", error_description="The API key has expired."',
    )
    const e3 = throwsCode(() => ApiKeyRecord.fromJson('{'), 'json_invalid')
    assert.equal(e3.challenge, null)
    assert.equal(e3.category, 'usage')
    assert.equal(e3.httpStatus, 500)
  })

  test('never contain a key, a password or the pepper', () => {
    const ring = makeRing()
    const { key, record } = ring.generate({ now: NOW })
    const ghost = ring.generate({ now: NOW }).key
    ring.insert(record)
    ring.revoke(record.keyId, NOW)
    const typo = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A')
    const password = 'correct horse battery staple'
    const basic = new BasicAuth({ users: { alice: hashPassword(password, FAST) }, htpasswd: BOB })
    const errors = [
      throwsCode(() => ring.verify(bearer(key)), 'apikey_revoked'),
      throwsCode(() => ring.verify(bearer(ghost)), 'apikey_unknown'),
      throwsCode(() => ring.verify(bearer(typo)), 'apikey_checksum_mismatch'),
      throwsCode(() => ring.checkFormat(typo), 'apikey_checksum_mismatch'),
      throwsCode(() => makeRing({ environment: 'test' }).verify(bearer(key)), 'apikey_environment_mismatch'),
      throwsCode(() => basic.verify(get('/', [['Authorization', basicHeader('alice', 'hunter2')]])), 'basic_invalid_credentials'),
      throwsCode(() => basic.verify(get('/', [['Authorization', basicHeader('hunter2', password)]])), 'basic_invalid_credentials'),
      throwsCode(() => basic.verify(get('/', [['Authorization', basicHeader('alice', `${password}\u0001`)]])), 'basic_control_character'),
      throwsCode(() => parseBasic(`Basic ${Buffer.from(password).toString('base64')}`), 'basic_malformed'),
      throwsCode(() => new ApiKeyRing({ pepper: PEPPER.subarray(0, 31) }), 'config_invalid'),
    ]
    const secrets = [key, ghost, typo, key.slice(8), password, 'hunter2', PEPPER.toString(), PEPPER.toString('hex')]
    for (const err of errors) {
      const text = errorText(err)
      for (const secret of secrets) assert.ok(!text.includes(secret), `${err.code} leaks a secret`)
    }
  })
})

test.describe('BasicAuth', () => {
  test('users map, htpasswd text, size, challenge, principal', () => {
    const basic = new BasicAuth({ realm: 'shop', users: { alice: hashPassword('pw', FAST) }, htpasswd: `${BOB}\n` })
    assert.equal(basic.size, 2)
    assert.equal(basic.challenge, 'Basic realm="shop", charset="UTF-8"')
    const p = basic.verify(get('/', [['Authorization', basicHeader('alice', 'pw')]]))
    assert.deepEqual(p, {
      subject: 'alice',
      method: 'basic',
      credentialId: 'alice',
      scopes: [],
      claims: { hash_scheme: 'argon2id', needs_rehash: true },
      expiresAt: null,
    })
    assert.equal(basic.verify(get('/', [['Authorization', basicHeader('bob', 'hunter2')]])).claims.hash_scheme, 'bcrypt')
    const err = throwsCode(() => basic.verify(get('/', [])), 'credentials_missing')
    assert.equal(err.challenge, 'Basic realm="shop", charset="UTF-8"')
  })

  test('htpasswd file on disk', (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-node-'))
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'htpasswd')
    fs.writeFileSync(file, `# users\n${BOB}\r\ncarol:${hashPassword('s3cret', FAST)}\n`)
    const basic = new BasicAuth({ htpasswdFile: file })
    assert.equal(basic.size, 2)
    assert.equal(basic.verify(get('/', [['Authorization', basicHeader('carol', 's3cret')]])).subject, 'carol')
    assert.equal(BasicAuth.fromJson(JSON.stringify({ htpasswd_file: file })).size, 2)
    throwsCode(() => new BasicAuth({ htpasswdFile: path.join(dir, 'missing') }), 'config_invalid')
  })

  test('hashPassword round trip and rehash flag', async () => {
    const hash = hashPassword('pässword', FAST)
    assert.match(hash, /^\$argon2id\$v=19\$m=64,t=1,p=1\$/)
    assert.notEqual(hashPassword('pässword', FAST), hash, 'fresh salt')
    const fromBuffer = hashPassword(Buffer.from('pässword'), FAST)
    const asyncHash = await hashPasswordAsync('pässword', FAST)
    const basic = new BasicAuth({
      users: { a: hash, b: fromBuffer, c: asyncHash },
      rehashParams: FAST,
    })
    for (const user of ['a', 'b', 'c']) {
      const p = basic.verify(get('/', [['Authorization', basicHeader(user, 'pässword')]]))
      assert.deepEqual(p.claims, { hash_scheme: 'argon2id', needs_rehash: false })
    }
    throwsCode(() => hashPassword('x', { memoryKib: 1 }), 'invalid_argument')
    throwsCode(() => hashPassword('x', { iterations: -1 }), 'invalid_argument')
    await assert.rejects(hashPasswordAsync('x', { memoryKib: 4 * 1024 * 1024 }), (e) => e.code === 'invalid_argument')
  })

  test('parseBasic', () => {
    assert.deepEqual(parseBasic('Basic YWxpY2U6cDpx'), { userId: 'alice', password: 'p:q' })
    assert.deepEqual(parseBasic(Buffer.from('basic Ym9iOg==')), { userId: 'bob', password: '' })
    throwsCode(() => parseBasic('Basic !!!'), 'basic_bad_base64')
    throwsCode(() => parseBasic('Bearer x'), 'credentials_missing')
    throwsCode(() => parseBasic(Buffer.from([0x42, 0xff])), 'header_malformed')
  })

  test('configuration errors', () => {
    throwsCode(() => new BasicAuth({ users: { alice: 'plain' } }), 'basic_hash_unsupported')
    throwsCode(() => new BasicAuth({ users: { alice: '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=' } }), 'basic_hash_weak')
    assert.equal(new BasicAuth({ users: { alice: '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=' }, allowLegacy: true }).size, 1)
    throwsCode(() => new BasicAuth({ htpasswd: 'no-colon' }), 'basic_htpasswd_malformed')
    throwsCode(() => new BasicAuth({ realm: 'a\nb' }), 'config_invalid')
    throwsCode(() => new BasicAuth({ users: 5 }), 'json_invalid')
    throwsCode(() => BasicAuth.fromJson('{"users":[]}'), 'json_invalid')
  })

  test('wrong argument types throw, never crash', async () => {
    const basic = new BasicAuth({ htpasswd: BOB })
    throwsType(() => new BasicAuth(5))
    throwsUnknownOption(() => new BasicAuth({ allow_legacy: true }), 'allow_legacy')
    throwsUnknownOption(() => new BasicAuth({ rehashParams: { memory: 1 } }), 'memory')
    throwsUnknownOption(() => hashPassword('x', { memory: 1 }), 'memory', 'invalid_argument')
    throwsType(() => basic.verify())
    throwsType(() => basic.verify('Basic x'))
    throwsType(() => basic.verifyAsync({}))
    throwsType(() => parseBasic())
    throwsType(() => parseBasic(5))
    throwsType(() => hashPassword())
    throwsType(() => hashPassword(5))
    throwsCode(() => hashPassword('x', { memoryKib: 'lots' }), 'invalid_argument')
    throwsType(() => hashPasswordAsync(null))
  })

  test('verifyAsync resolves and rejects like verify', async () => {
    const basic = new BasicAuth({ users: { alice: hashPassword('pw', FAST) }, htpasswd: BOB })
    const ok = get('/', [['Authorization', basicHeader('alice', 'pw')]])
    assert.deepEqual(await basic.verifyAsync(ok), basic.verify(ok))
    const bad = get('/', [['Authorization', basicHeader('bob', 'nope')]])
    await assert.rejects(basic.verifyAsync(bad), (err) => {
      assert.ok(err instanceof Error)
      assert.equal(err.code, 'basic_invalid_credentials')
      assert.equal(err.number, 305)
      assert.equal(err.challenge, 'Basic realm="api", charset="UTF-8"')
      return true
    })
    const many = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => basic.verifyAsync(i % 2 ? ok : bad)),
    )
    many.forEach((r, i) => assert.equal(r.status, i % 2 ? 'fulfilled' : 'rejected'))
  })

  test('verifyAsync does not block the event loop (argon2 19456 KiB)', async () => {
    const hash = await hashPasswordAsync('correct horse battery staple')
    assert.match(hash, /\$m=19456,t=2,p=1\$/)
    const basic = new BasicAuth({ users: { alice: hash } })
    const request = get('/', [['Authorization', basicHeader('alice', 'correct horse battery staple')]])
    const events = []
    let settled = false
    let ticks = 0
    const spin = () => {
      if (settled) return
      ticks += 1
      setImmediate(spin)
    }
    const pending = basic.verifyAsync(request).then((p) => {
      settled = true
      events.push('verified')
      return p
    })
    setImmediate(() => events.push('immediate'))
    setTimeout(() => events.push('timer'), 0)
    spin()
    const principal = await pending
    assert.equal(principal.subject, 'alice')
    assert.deepEqual(principal.claims, { hash_scheme: 'argon2id', needs_rehash: false })
    // The loop ran other callbacks while the password check was pending.
    assert.ok(events.indexOf('immediate') < events.indexOf('verified'), events.join(','))
    assert.ok(events.indexOf('timer') < events.indexOf('verified'), events.join(','))
    assert.ok(ticks > 1, `setImmediate ran ${ticks} times while pending`)
  })
})
