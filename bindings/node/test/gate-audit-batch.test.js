'use strict'
// The batch form of the gate's audit callback (`auditBatch`): counts, the AuditBatch object
// (length, at, iteration), laziness (nothing parsed until an event is read), both callbacks
// together, failures counted once per call, and the options checks.

const test = require('node:test')
const assert = require('node:assert/strict')

const { portcullis } = require('../test-support/helpers')
const { NOW, SECRETS, CONFIG, token, request, bearer, gate, until, EVENT_KEYS } = require('../test-support/gate')
const { Gate } = portcullis

/** Checks `n` requests: allowed (a JWT) and denied (no credential) in turn. */
function checkMany(g, n) {
  for (let i = 0; i < n; i++) g.check(i % 2 ? request('GET', `/orders/${i}`) : bearer(`/orders/${i}`))
}

/** Counts the calls of `JSON.parse` while `fn` runs (it may be async; `check` parses too, so
 * the checks run before). */
async function countingParses(fn) {
  const parse = JSON.parse
  let calls = 0
  JSON.parse = function countedParse(...args) {
    calls++
    return parse.apply(this, args)
  }
  try {
    await fn()
  } finally {
    JSON.parse = parse
  }
  return calls
}

test('auditBatch gets every event once, in batches, as audit does', async () => {
  const batches = []
  const events = []
  const g = gate({ auditBatch: (b) => batches.push(b), audit: (e) => events.push(e) })
  const N = 600
  checkMany(g, N)
  assert.equal(batches.length, 0, 'batches never arrive during check')
  assert.equal(g.flushAudit(), true)
  await until(() => events.length === N, 'every event')
  assert.equal(batches.reduce((n, b) => n + b.length, 0), N)
  assert.ok(batches.every((b) => b.length >= 1 && b.length <= 256), batches.map((b) => b.length).join())
  // The same events, the same objects, in the same order: the batch's are what audit got.
  const fromBatches = batches.flatMap((b) => [...b])
  assert.equal(fromBatches.length, N)
  for (let i = 0; i < N; i++) assert.equal(fromBatches[i], events[i])
  for (const [i, e] of events.entries()) {
    assert.deepEqual(Object.keys(e), EVENT_KEYS)
    assert.equal(e.route, 'orders')
    assert.equal(e.outcome, i % 2 ? 'deny' : 'allow')
    assert.equal(e.subject, i % 2 ? null : 'alice')
    assert.equal(e.code, i % 2 ? 'credentials_missing' : null)
    assert.equal(e.status, i % 2 ? 401 : 200)
    assert.deepEqual(e.tried, i % 2 ? ['tokens', 'keys'] : ['tokens'])
  }
  assert.deepEqual(g.auditStats(), { submitted: N, delivered: N, dropped: 0, sinkFailures: 0 })
})

test('an AuditBatch: length, at (negative from the end), iteration, one object per event', async () => {
  // Three quick checks nearly always make one batch; the audit thread may cut between them,
  // so a few tries.
  let batch = null
  for (let attempt = 0; attempt < 10 && batch === null; attempt++) {
    const batches = []
    const g = gate({ auditBatch: (b) => batches.push(b) })
    g.check(bearer('/orders/1', 'orders:read', { peerAddress: '2001:db8::7', headers: [['authorization', `Bearer ${token({ sub: 'zoë 名前', scope: 'orders:read' })}`], ['x-request-id', 'r-1']] }))
    g.check(request('GET', '/health'))
    g.check(request('GET', '/orders/2'))
    assert.equal(g.flushAudit(), true)
    await until(() => batches.reduce((n, b) => n + b.length, 0) === 3, 'three events')
    if (batches.length === 1) batch = batches[0]
  }
  assert.ok(batch !== null, 'no batch of the three events')
  assert.equal(batch.length, 3)
  assert.equal(Object.prototype.toString.call(batch), '[object AuditBatch]')
  const [allow, anon, deny] = batch
  assert.deepEqual({ ...allow, latencyUs: 0 }, {
    time: NOW, route: 'orders', requestId: 'r-1', peerAddress: '2001:db8::7', tried: ['tokens'], credential: 'tokens',
    method: 'jwt', subject: 'zoë 名前', credentialId: null, outcome: 'allow', status: 200, code: null, latencyUs: 0,
  })
  assert.equal(typeof allow.latencyUs, 'number')
  assert.equal(anon.route, 'health')
  assert.equal(anon.outcome, 'allow')
  assert.equal(anon.subject, null)
  assert.equal(deny.code, 'credentials_missing')
  assert.equal(batch.at(0), allow)
  assert.equal(batch.at(-1), deny)
  assert.equal(batch.at(-3), allow)
  assert.equal(batch.at('1'), anon)
  assert.equal(batch.at(1.7), anon)
  assert.equal(batch.at(), allow)
  for (const out of [3, -4, 100, Infinity, -Infinity]) assert.equal(batch.at(out), undefined, String(out))
  assert.deepEqual([...batch], [allow, anon, deny])
  assert.throws(() => new batch.constructor(), TypeError)
  assert.throws(() => {
    batch.length = 5
  }, TypeError)
  assert.equal(batch.length, 3)
})

test('a batch callback that reads only length parses nothing; reading parses each batch once', async () => {
  let counted = 0
  let calls = 0
  const counting = gate({ auditBatch: (b) => void (counted += b.length) })
  checkMany(counting, 300)
  const parsesCounting = await countingParses(async () => {
    assert.equal(counting.flushAudit(), true)
    await until(() => counted === 300, 'every event counted')
  })
  assert.equal(parsesCounting, 0)

  const kept = []
  const reading = gate({
    auditBatch: (b) => {
      calls++
      kept.push(b)
      assert.equal(b.at(0), b.at(0))
      assert.equal(b.at(-1).route, 'orders')
    },
  })
  checkMany(reading, 300)
  const parsesReading = await countingParses(async () => {
    assert.equal(reading.flushAudit(), true)
    await until(() => kept.reduce((n, b) => n + b.length, 0) === 300, 'every event read')
    // Reading again, after the callback returned, parses nothing more.
    for (const b of kept) assert.equal([...b].length, b.length)
  })
  assert.equal(parsesReading, calls)
  assert.deepEqual(reading.auditStats(), { submitted: 300, delivered: 300, dropped: 0, sinkFailures: 0 })
})

test('batches read late, or only some of them, hold the same events', async () => {
  // The sink hands over a batch's text while batches are read and its events (their text
  // written on demand) while they are not: both must read the same.
  const kept = []
  let calls = 0
  const g = gate({
    auditBatch: (b) => {
      kept.push(b)
      // Read during the callback for calls 3 and 4 only; every other batch is read afterwards.
      if (++calls === 3 || calls === 4) b.at(0)
    },
  })
  const N = 40
  const total = () => kept.reduce((n, b) => n + b.length, 0)
  for (let round = 1; round <= 6; round++) {
    checkMany(g, N)
    assert.equal(g.flushAudit(), true)
    await until(() => total() === round * N, `round ${round}`)
  }
  assert.ok(kept.length >= 6)
  // Every event in order; N is even, so an event's place tells allow (even) from deny (odd).
  const events = kept.flatMap((b) => [...b])
  assert.equal(events.length, 6 * N)
  for (const [i, e] of events.entries()) {
    assert.deepEqual(Object.keys(e), EVENT_KEYS)
    assert.equal(e.route, 'orders')
    assert.equal(e.outcome, i % 2 ? 'deny' : 'allow')
    assert.equal(e.subject, i % 2 ? null : 'alice')
    assert.equal(e.time, NOW)
  }
  for (const b of kept) assert.equal(b.at(-1), [...b][b.length - 1])
})

test('unread batches collected and their buffers reused: later batches hold their own events', async () => {
  const v8 = require('node:v8')
  const vm = require('node:vm')
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc')
  let reading = false
  let counted = 0
  const ids = []
  const g = gate({
    auditBatch: (b) => {
      counted += b.length
      if (reading) for (const e of b) ids.push(e.requestId)
    },
  })
  const checkRound = (round, n) => {
    for (let i = 0; i < n; i++) g.check(bearer(`/orders/${i}`, 'orders:read', { headers: [['authorization', `Bearer ${token({ scope: 'orders:read' })}`], ['x-request-id', `r${round}-${i}`]] }))
  }
  // Unread rounds: their batches cross as events, go back to the sink when collected.
  let total = 0
  for (let round = 0; round < 8; round++) {
    checkRound(round, 300)
    total += 300
    assert.equal(g.flushAudit(), true)
    await until(() => counted === total, `round ${round}`)
    gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
  // A read round: its first batches are written from reused buffers.
  reading = true
  checkRound('x', 300)
  assert.equal(g.flushAudit(), true)
  await until(() => ids.length === 300, 'the read round')
  assert.deepEqual(ids, Array.from({ length: 300 }, (_, i) => `rx-${i}`))
})

test('a batch callback that throws or rejects is counted once per call, and audit still runs', async () => {
  let batches = 0
  let events = 0
  const g = gate({
    auditBatch: () => {
      batches++
      if (batches % 2) throw new Error('batch sink down')
      return Promise.reject(new Error('async batch sink down'))
    },
    audit: (e) => {
      events++
      if (e.outcome === 'deny') throw new Error('event sink down')
    },
  })
  checkMany(g, 20)
  assert.equal(g.flushAudit(), true)
  await until(() => events === 20 && g.auditStats().sinkFailures === batches + 10, 'the counted failures')
  assert.ok(batches >= 1)
  assert.deepEqual(g.auditStats(), { submitted: 20, delivered: 20, dropped: 0, sinkFailures: batches + 10 })
})

test('auditBatch alone; the options are checked', async () => {
  let n = 0
  const g = Gate.fromJson(JSON.stringify(require('../test-support/gate').CONFIG_JSON), { secrets: SECRETS, auditBatch: (b) => void (n += b.length) })
  checkMany(g, 5)
  assert.equal(g.flushAudit(), true)
  await until(() => n === 5, 'five events')
  assert.throws(() => Gate.fromToml(CONFIG, { secrets: SECRETS, auditBatch: 'log' }), /option `auditBatch` must be a function/)
  assert.throws(() => Gate.fromToml(CONFIG, { secrets: SECRETS, audit: () => {}, auditBatch: 5 }), /option `auditBatch` must be a function/)
  assert.throws(() => Gate.fromToml(CONFIG, { secrets: SECRETS, audit: 'log', auditBatch: () => {} }), /option `audit` must be a function/)
  const quiet = Gate.fromToml(CONFIG, { secrets: SECRETS, auditBatch: null, audit: undefined })
  quiet.check(request('GET', '/health'))
  assert.deepEqual(quiet.auditStats(), { submitted: 0, delivered: 0, dropped: 0, sinkFailures: 0 })
})
