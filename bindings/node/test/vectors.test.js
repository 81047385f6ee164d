'use strict'
// Runs EVERY case of tests/vectors/apikey.json and basic.json through the Node binding, one
// test per case id. An unknown `op` fails. Each case is run through both constructors (the
// camelCase options object and `fromJson`), and Basic verify cases through both `verify` and
// `verifyAsync`: all paths must agree with the vector.

const test = require('node:test')
const assert = require('node:assert/strict')

const {
  portcullis,
  loadVectors,
  camelize,
  buildRequest,
  outcome,
  outcomeAsync,
  checkPrincipal,
  checkOutcome,
} = require('../test-support/helpers')
const { ApiKeyRing, ApiKeyRecord, BasicAuth, parseBasic } = portcullis

// ---- apikey.json -------------------------------------------------------------------------

function ringsFor(input) {
  const pepper = Buffer.from(input.pepper_hex, 'hex')
  return [
    ['options', () => new ApiKeyRing({ pepper, ...camelize(input.config) })],
    ['fromJson', () => ApiKeyRing.fromJson(JSON.stringify(input.config), pepper)],
  ]
}

const APIKEY_OPS = {
  verify(ring, input, now) {
    for (const r of input.records || []) ring.insert(ApiKeyRecord.fromJson(JSON.stringify(r)))
    return ring.verify(buildRequest(input.request, now), input.scopes || [])
  },
  verify_record(ring, input, now) {
    const record = ApiKeyRecord.fromJson(JSON.stringify(input.record))
    return ring.verifyRecord(buildRequest(input.request, now), record, input.scopes || [])
  },
  check_format(ring, input) {
    return { environment: ring.checkFormat(input.key) }
  },
  lookup_digest(ring, input, now) {
    return { digest: ring.lookupDigest(buildRequest(input.request, now)) }
  },
}

const APIKEY_OK = {
  verify: checkPrincipal,
  verify_record: checkPrincipal,
  check_format: (got, want) => assert.deepEqual(got, want),
  lookup_digest: (got, want) => assert.deepEqual(got, want),
}

test.describe('apikey.json', () => {
  const cases = loadVectors('apikey.json')
  test('has cases', () => assert.ok(cases.length > 0))
  for (const c of cases) {
    test(c.id, () => {
      const op = APIKEY_OPS[c.input.op]
      assert.ok(op, `unknown op ${c.input.op}`)
      for (const [how, makeRing] of ringsFor(c.input)) {
        const result = outcome(() => op(makeRing(), c.input, c.now))
        try {
          checkOutcome(result, c.expect, APIKEY_OK[c.input.op])
        } catch (e) {
          e.message = `[${how}] ${e.message}`
          throw e
        }
      }
    })
  }
})

// ---- basic.json --------------------------------------------------------------------------

function authsFor(config) {
  return [
    ['options', () => new BasicAuth(camelize(config))],
    ['fromJson', () => BasicAuth.fromJson(JSON.stringify(config))],
  ]
}

const BASIC_OPS = {
  async parse(input) {
    const header = 'header_b64' in input ? Buffer.from(input.header_b64, 'base64') : input.header
    const result = outcome(() => parseBasic(header))
    return [['parseBasic', result]]
  },
  async verify(input, now) {
    const results = []
    for (const [how, make] of authsFor(input.config)) {
      results.push([`${how} verify`, outcome(() => make().verify(buildRequest(input.request, now)))])
      results.push([
        `${how} verifyAsync`,
        await outcomeAsync(() => make().verifyAsync(buildRequest(input.request, now))),
      ])
    }
    return results
  },
  async load(input) {
    return authsFor(input.config).map(([how, make]) => [how, outcome(() => ({ users: make().size }))])
  },
}

const BASIC_OK = {
  parse: (got, want) => {
    const names = { user_id: 'userId', password: 'password' }
    for (const [field, value] of Object.entries(want)) {
      assert.ok(names[field], `unknown parse field in vector: ${field}`)
      assert.equal(got[names[field]], value, field)
    }
  },
  verify: checkPrincipal,
  load: (got, want) => assert.deepEqual(got, want),
}

test.describe('basic.json', () => {
  const cases = loadVectors('basic.json')
  test('has cases', () => assert.ok(cases.length > 0))
  for (const c of cases) {
    test(c.id, async () => {
      const op = BASIC_OPS[c.input.op]
      assert.ok(op, `unknown op ${c.input.op}`)
      for (const [how, result] of await op(c.input, c.now)) {
        try {
          checkOutcome(result, c.expect, BASIC_OK[c.input.op])
        } catch (e) {
          e.message = `[${how}] ${e.message}`
          throw e
        }
      }
    })
  }
})
