'use strict'
// The gate.json runner (tests/vectors/GATE.md): EVERY case, one test per case id, through
// `check` and, on a second gate built for the case, `checkAsync` (rate limits, lockout and
// replay state carry from one request to the next within each gate). An unknown `op`, an
// unknown member of an expected decision and a case that did not run all fail.
//
// It reads tests/vectors/gate.json and, until that file is on this branch, says so with a
// skipped test; test/fixtures/gate.json (written by test/fixtures/gen_gate.py) checks the
// runner itself.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { portcullis } = require('../test-support/helpers')
const { Gate, Request } = portcullis

const SHARED = path.resolve(__dirname, '..', '..', '..', 'tests', 'vectors', 'gate.json')
const FIXTURE = path.join(__dirname, 'fixtures', 'gate.json')
/** Cases in the fixture: the runner must run exactly these. */
const FIXTURE_CASES = 10

/** A vector request -> Request. */
function buildRequest(spec) {
  const known = ['method', 'target', 'headers', 'headers_b64', 'body', 'body_b64', 'now', 'peer_address', 'peer_certificates_b64', 'scheme', 'scopes']
  for (const key of Object.keys(spec)) assert.ok(known.includes(key), `unknown request member ${key}`)
  assert.equal(typeof spec.now, 'number', 'a gate request needs `now`')
  const options = { method: spec.method, target: spec.target, now: spec.now }
  if (spec.headers_b64) options.headers = spec.headers_b64.map(([n, v]) => [n, Buffer.from(v, 'base64')])
  else options.headers = spec.headers || []
  if (typeof spec.body === 'string') options.body = Buffer.from(spec.body, 'utf8')
  else if (typeof spec.body_b64 === 'string') options.body = Buffer.from(spec.body_b64, 'base64')
  if (spec.peer_address !== undefined) options.peerAddress = spec.peer_address
  if (spec.peer_certificates_b64 !== undefined) options.peerCertificates = spec.peer_certificates_b64.map((c) => Buffer.from(c, 'base64'))
  if (spec.scheme !== undefined) options.scheme = spec.scheme
  return new Request(options)
}

/** Compares every member `want` lists with the decision `got`. */
const COMPARE = {
  allowed: (got, want) => assert.equal(got.allowed, want),
  status: (got, want) => assert.equal(got.status, want),
  route: (got, want) => assert.equal(got.route, want),
  credential: (got, want) => assert.equal(got.credential, want),
  subject: (got, want) => {
    assert.notEqual(got.principal, null, 'a principal')
    assert.equal(got.principal.subject, want)
  },
  code: (got, want) => assert.equal(got.code, want),
  challenges: (got, want) => assert.deepEqual(got.challenges, want),
  headers: (got, want) => assert.deepEqual(got.headers, want),
  retry_after: (got, want) => assert.equal(got.retryAfter, want),
  problem: (got, want) => assert.deepEqual(got.problem === null ? null : JSON.parse(got.problem), want),
}

function compare(got, want, where) {
  assert.ok('allowed' in want && 'status' in want, `${where}: a decision lists allowed and status`)
  for (const [member, value] of Object.entries(want)) {
    const check = COMPARE[member]
    assert.ok(check, `${where}: unknown decision member ${member}`)
    try {
      check(got, value)
    } catch (e) {
      e.message = `${where}, ${member}: ${e.message}`
      throw e
    }
  }
}

function gateFor(file, c) {
  const options = { secrets: file.secrets || {}, baseDir: file.dir }
  const input = c.input
  if (input.config !== undefined || c.config !== undefined) {
    const name = input.config ?? c.config
    const config = file.configs[name]
    assert.ok(config, `unknown config ${name}`)
    return Gate.fromJson(JSON.stringify(config), options)
  }
  if (input.format === 'toml') return Gate.fromToml(input.text, options)
  if (input.format === 'json') return Gate.fromJson(input.text, options)
  assert.fail(`unknown format ${input.format}`)
}

const OPS = {
  async check(file, c) {
    const wants = c.expect.decisions
    assert.ok(Array.isArray(wants), 'expect.decisions')
    assert.equal(c.input.requests.length, wants.length, 'one decision per request')
    const sync = gateFor(file, c)
    // A request with `scopes` is checked with the caller's scopes.
    c.input.requests.forEach((r, i) => compare(sync.check(buildRequest(r), r.scopes), wants[i], `check, request ${i}`))
    const async = gateFor(file, c)
    for (let i = 0; i < wants.length; i++) {
      const r = c.input.requests[i]
      compare(await async.checkAsync(buildRequest(r), r.scopes), wants[i], `checkAsync, request ${i}`)
    }
  },
  load(file, c) {
    assert.ok('error' in c.expect && 'detail' in c.expect, 'a load case expects error and detail')
    assert.throws(
      () => gateFor(file, c),
      (e) => {
        assert.equal(e.code, c.expect.error)
        assert.equal(e.detail, c.expect.detail)
        assert.equal(typeof e.path, 'string')
        return true
      },
    )
  },
}

function run(name, filePath, expectedCount) {
  test.describe(name, () => {
    const file = JSON.parse(fs.readFileSync(filePath, 'utf8'))
    file.dir = path.dirname(filePath)
    const cases = file.cases
    let ran = 0
    test('has cases', () => {
      assert.ok(cases.length > 0)
      if (expectedCount !== undefined) assert.equal(cases.length, expectedCount)
      assert.equal(new Set(cases.map((c) => c.id)).size, cases.length, 'case ids are unique')
    })
    for (const c of cases) {
      test(c.id, async () => {
        const op = OPS[c.input.op]
        assert.ok(op, `unknown op ${c.input.op}`)
        await op(file, c)
        ran++
      })
    }
    test('every case ran', () => assert.equal(ran, cases.length))
  })
}

run('fixtures/gate.json', FIXTURE, FIXTURE_CASES)

if (fs.existsSync(SHARED)) run('tests/vectors/gate.json', SHARED)
else test('tests/vectors/gate.json', { skip: 'not on this branch yet' }, () => {})

// OAuth 2.0 resource-server cases (RFC 9068, DPoP, certificate-bound tokens) in gate.json's format.
run('tests/vectors/oauth_rs.json', path.join(path.dirname(SHARED), 'oauth_rs.json'))
