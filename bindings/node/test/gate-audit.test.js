'use strict'
// The gate's audit callback through the Node binding: one camelCase event per decision, the
// counts, callbacks that throw or reject, a busy event loop, and gates in worker threads.

const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { Worker } = require('node:worker_threads')

const { portcullis } = require('../test-support/helpers')
const { NOW, JWT_SECRET, SECRETS, CONFIG, token, request, bearer, gate, until, EVENT_KEYS } = require('../test-support/gate')
const { Gate } = portcullis

test('the audit callback gets one camelCase event per decision', async () => {
  const events = []
  const g = gate({ audit: (e) => events.push(e) })
  g.check(bearer('/orders/7', 'orders:read', { peerAddress: '203.0.113.7', headers: [['authorization', `Bearer ${token({ scope: 'orders:read' })}`], ['x-request-id', 'req-1']] }))
  g.check(request('GET', '/orders/7'))
  g.check(request('GET', '/health'))
  assert.equal(events.length, 0, 'events never arrive during check')
  assert.equal(g.flushAudit(), true)
  await until(() => events.length === 3, 'three events')
  for (const e of events) assert.deepEqual(Object.keys(e), EVENT_KEYS)
  const [allow, deny, anon] = events
  assert.deepEqual({ ...allow, latencyUs: 0 }, {
    time: NOW, route: 'orders', requestId: 'req-1', peerAddress: '203.0.113.7', tried: ['tokens'], credential: 'tokens',
    method: 'jwt', subject: 'alice', credentialId: null, outcome: 'allow', status: 200, code: null, latencyUs: 0,
  })
  assert.equal(typeof allow.latencyUs, 'number')
  assert.equal(deny.outcome, 'deny')
  assert.equal(deny.status, 401)
  assert.equal(deny.code, 'credentials_missing')
  assert.equal(deny.subject, null)
  assert.equal(anon.outcome, 'allow')
  assert.equal(anon.route, 'health')
  assert.deepEqual(g.auditStats(), { submitted: 3, delivered: 3, dropped: 0, sinkFailures: 0 })
  // No secret in an event: not the token, not the pepper.
  assert.ok(!JSON.stringify(events).includes(JWT_SECRET))
})

test('a gate without an audit callback has zero stats and flushes at once', () => {
  const g = gate()
  g.check(request('GET', '/health'))
  assert.equal(g.flushAudit(0), true)
  assert.deepEqual(g.auditStats(), { submitted: 0, delivered: 0, dropped: 0, sinkFailures: 0 })
  for (const bad of [-1, NaN, Infinity]) {
    assert.throws(() => g.flushAudit(bad), (e) => e.code === 'invalid_argument')
  }
})

test('a throwing or rejecting callback is counted and never reaches check', async () => {
  let calls = 0
  const g = gate({
    audit: (e) => {
      calls++
      if (e.route === 'health') throw new Error('sink down')
      if (e.route === 'orders') return Promise.reject(new Error('async sink down'))
    },
  })
  for (let i = 0; i < 5; i++) assert.equal(g.check(request('GET', '/health')).allowed, true)
  for (let i = 0; i < 3; i++) assert.equal(g.check(request('GET', '/orders/1')).status, 401)
  g.check(bearer('/nowhere'))
  assert.equal(g.flushAudit(), true)
  await until(() => calls === 9 && g.auditStats().sinkFailures === 8, 'eight counted failures')
  assert.deepEqual(g.auditStats(), { submitted: 9, delivered: 9, dropped: 0, sinkFailures: 8 })
})

test('a busy event loop: the callback\'s backlog stays bounded and drops are counted', async () => {
  let seen = 0
  const g = Gate.fromToml(CONFIG.replace('version = 1', 'version = 1\n[audit]\nqueue = 4096'), {
    secrets: SECRETS,
    audit: () => {
      seen++
    },
  })
  const req = request('GET', '/health')
  // The callbacks cannot run while this loop holds the event loop.
  const N = 30_000
  for (let i = 0; i < N; i++) g.check(req)
  assert.equal(seen, 0)
  assert.equal(g.flushAudit(), true)
  const stats = g.auditStats()
  assert.equal(stats.submitted, N)
  assert.equal(stats.submitted, stats.delivered + stats.dropped)
  assert.ok(stats.dropped > 0, JSON.stringify(stats))
  // The backlog (events handed to the event loop, not yet taken) holds at most 10,000.
  assert.ok(stats.delivered <= 10_000, JSON.stringify(stats))
  await until(() => seen === stats.delivered, 'every delivered event')
  assert.deepEqual(g.auditStats(), stats)
  // Once the backlog is gone, events flow again.
  g.check(req)
  assert.equal(g.flushAudit(), true)
  await until(() => seen === stats.delivered + 1, 'the next event')
})

// ---- worker threads -------------------------------------------------------------------------

test('worker threads each run their own gate', async () => {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads')
    const { Gate, Request } = require(workerData.pkg)
    let seen = 0
    const g = Gate.fromToml(workerData.config, { secrets: workerData.secrets, audit: () => { seen++ } })
    let allowed = 0
    for (let i = 0; i < workerData.n; i++) {
      const headers = i % 2 ? [['authorization', 'Bearer ' + workerData.token]] : []
      if (g.check(new Request({ method: 'GET', target: '/orders/' + i, headers, now: workerData.now })).allowed) allowed++
    }
    g.flushAudit()
    const wait = (left) => {
      if (seen === workerData.n || left === 0) parentPort.postMessage({ allowed, seen, stats: g.auditStats() })
      else setTimeout(() => wait(left - 1), 5)
    }
    wait(1000)
  `
  const workerData = {
    pkg: path.resolve(__dirname, '..'),
    config: CONFIG,
    secrets: SECRETS,
    token: token({ scope: 'orders:read' }),
    now: NOW,
    n: 40,
  }
  const results = await Promise.all(
    [0, 1, 2].map(
      () =>
        new Promise((resolve, reject) => {
          const w = new Worker(code, { eval: true, workerData })
          w.once('message', (m) => {
            resolve(m)
            w.terminate()
          })
          w.once('error', reject)
        }),
    ),
  )
  for (const r of results) {
    assert.deepEqual(r, { allowed: 20, seen: 40, stats: { submitted: 40, delivered: 40, dropped: 0, sinkFailures: 0 } })
  }
})

