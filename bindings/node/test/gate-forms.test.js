'use strict'
// `check` and `checkAsync` through gate.js (the decision as JSON text: the short form of an
// allowed decision with a principal, the fourteen values otherwise) give the native object
// member for member, in member order, for every kind of decision. Each path runs on its own
// gate (same configuration, same keys) so that rate-limit state moves the same way on each.

const test = require('node:test')
const assert = require('node:assert/strict')

const { portcullis } = require('../test-support/helpers')
const { NOW, SECRETS, CONFIG, token, request, bearer, DECISION_KEYS, PRINCIPAL_KEYS } = require('../test-support/gate')
const { native } = require('../gate.js')
const { Gate } = portcullis

const FORMS_CONFIG = `${CONFIG}
[[routes]]
name = "both"
path = "/both/{a}/{b}"
require = { all_of = ["tokens", "keys"] }

[[routes]]
name = "maybe"
path = "/maybe"
require = { optional = "tokens" }
`

/** Five gates holding the same API key: one per path compared, one to read the raw text. */
function gates() {
  const all = [0, 1, 2, 3, 4].map(() => Gate.fromToml(FORMS_CONFIG, { secrets: SECRETS }))
  const issued = all[0].apiKeyRing('keys').generate({ subject: 'svc', scopes: ['orders:read'], now: NOW })
  for (const g of all) g.apiKeyRing('keys').insert(issued.record)
  return { all, key: issued.key }
}

/** Each case: the request, and whether its decision takes the short form. */
function cases(key) {
  const jwt = ['authorization', `Bearer ${token({ scope: 'orders:read' })}`]
  const apiKey = ['x-api-key', key]
  return [
    ['JWT allowed, a path parameter', () => bearer('/orders/7'), true],
    ['API key allowed', () => request('GET', '/orders/8', [apiKey]), true],
    ['rate limited, first', () => bearer('/limited'), true],
    ['rate limited, second', () => bearer('/limited'), true],
    ['rate limited, refused with Retry-After', () => bearer('/limited'), false],
    ['all_of: two credentials satisfied', () => request('GET', '/both/x/y%20z', [jwt, apiKey]), false],
    ['all_of: one missing', () => request('GET', '/both/x/y', [jwt]), false],
    ['optional, absent: anonymous', () => request('GET', '/maybe'), false],
    ['optional, present', () => request('GET', '/maybe', [jwt]), true],
    ['anonymous route', () => request('GET', '/health'), false],
    ['no credential', () => request('GET', '/orders/7'), false],
    ['missing scope', () => bearer('/orders/7', 'other'), false],
    ['no route', () => bearer('/nowhere'), false],
    ['refused path', () => request('GET', '/orders/%2e%2e/x'), false],
  ]
}

/** Which form a native decision text has: the short form's nine values (after any headers
 * as lines, the text then starting with a line break), or the fourteen. */
function formOf(raw) {
  const json = raw.startsWith('\n') ? raw.slice(raw.indexOf('\n[') + 1) : raw
  const n = JSON.parse(json).length
  assert.ok(n === 9 || n === 14, raw)
  return n === 9 ? 'short' : 'long'
}

/** The members of `value`, recursively, in order: deepEqual ignores the order of members. */
function shape(value) {
  if (value === null || typeof value !== 'object') return typeof value
  if (Array.isArray(value)) return value.map(shape)
  return Object.entries(value).map(([k, v]) => [k, shape(v)])
}

test('check and checkAsync give the native decision, member for member and in order', async () => {
  const { all: [viaJs, viaNative, viaJsAsync, viaNativeAsync, viaRaw], key } = gates()
  let short = 0
  for (const [what, make, isShort] of cases(key)) {
    const want = native.check.call(viaNative, make())
    const raw = viaRaw._checkJson(make())
    assert.equal(typeof raw, 'string', what)
    assert.equal(formOf(raw), isShort ? 'short' : 'long', what)
    const got = viaJs.check(make())
    assert.deepEqual(got, want, what)
    assert.deepEqual(shape(got), shape(want), `${what}: member order`)
    assert.deepEqual(Object.keys(got), DECISION_KEYS, what)
    if (got.principal !== null) assert.deepEqual(Object.keys(got.principal), PRINCIPAL_KEYS, what)
    const gotAsync = await viaJsAsync.checkAsync(make())
    const wantAsync = await native.checkAsync.call(viaNativeAsync, make())
    assert.deepEqual(gotAsync, wantAsync, `${what} (async)`)
    assert.deepEqual(shape(gotAsync), shape(wantAsync), `${what} (async): member order`)
    if (isShort) short++
  }
  assert.equal(short, 5)
})

test('short-form decisions are fresh objects: changing one changes no other', () => {
  const { all: [g] } = gates()
  const a = g.check(bearer('/orders/7'))
  a.challenges.push('x')
  a.satisfied.push('y')
  a.headers.push(['a', 'b'])
  a.params.id = 'changed'
  const b = g.check(bearer('/orders/7'))
  assert.deepEqual(b.challenges, [])
  assert.deepEqual(b.satisfied, ['tokens'])
  assert.deepEqual(b.headers, [])
  assert.deepEqual(b.params, { id: '7' })
})
