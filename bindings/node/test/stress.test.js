'use strict'
// Stress without sanitizers, every result counted (ThreadSanitizer covers the same from C:
// make tsan). One gate checked in parallel on the libuv thread pool (checkAsync, and its
// generic verifier's verifyAsync) while the event loop inserts, revokes and removes keys in the
// gate's ring and reloads its configuration; and worker_threads, each with gates of its own,
// checking at the same time in the same process (the core's process-wide state: interned route
// names, audit threads, the allocator).

const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { Worker } = require('node:worker_threads')

const { gate } = require('../test-support/gate')
const { ROUNDS, churnAndCheck } = require('../test-support/stress')

const WORKERS = 3

test('checkAsync and verifyAsync on the thread pool while keys churn and the gate reloads', async () => {
  const { counts, churned, reloads } = await churnAndCheck(gate())
  const quarter = ROUNDS / 4
  assert.deepEqual(counts, { 'stable ok': quarter, 'revoked refused': quarter, 'token ok': quarter, 'verifier ok': quarter })
  assert.equal(churned, Math.ceil(ROUNDS / 8))
  assert.equal(reloads, Math.ceil(ROUNDS / 16))
})

test('worker_threads with their own gates, checking at the same time as this thread', async () => {
  const support = path.join(__dirname, '..', 'test-support')
  const code = `
    const { parentPort } = require('node:worker_threads')
    const { gate } = require(${JSON.stringify(path.join(support, 'gate.js'))})
    const { churnAndCheck } = require(${JSON.stringify(path.join(support, 'stress.js'))})
    churnAndCheck(gate()).then((r) => parentPort.postMessage(r), (e) => parentPort.postMessage({ error: String(e) }))
  `
  const results = Array.from({ length: WORKERS }, () => new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true })
    w.once('message', resolve)
    w.once('error', reject)
  }))
  const here = churnAndCheck(gate())
  const all = await Promise.all([here, ...results])
  const quarter = ROUNDS / 4
  for (const r of all) {
    assert.equal(r.error, undefined)
    assert.deepEqual(r.counts, { 'stable ok': quarter, 'revoked refused': quarter, 'token ok': quarter, 'verifier ok': quarter })
  }
})
