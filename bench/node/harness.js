'use strict'
// The timing harness of the Node bench: interleaved batches of every case of a workload, their
// summaries, and the rows written to the JSON report (bench.js, gate.js, bench/README.md).

const now = () => process.hrtime.bigint()

function summarize(samples) {
  const s = [...samples].sort((a, b) => a - b)
  const q = (p) => {
    // inclusive quantile, as Python's statistics.quantiles(method="inclusive")
    const pos = (s.length - 1) * p
    const lo = Math.floor(pos)
    const hi = Math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)
  }
  return { median: q(0.5), min: s[0], max: s[s.length - 1], q1: q(0.25), q3: q(0.75), batches: samples }
}

function calibrate(fn, seconds) {
  let n = 0
  const start = now()
  let spent = 0n
  for (;;) {
    fn()
    n++
    spent = now() - start
    if (Number(spent) >= seconds * 1e9 && n >= 2) break
  }
  return Number(spent) / n
}

// Cases marked with ASYNC return a promise (jose): their loops await every call.
const ASYNC = Symbol('async')
const markAsync = (fn) => Object.assign(fn, { [ASYNC]: true })

async function calibrateAsync(fn, seconds) {
  let n = 0
  const start = now()
  let spent = 0n
  for (;;) {
    await fn()
    n++
    spent = now() - start
    if (Number(spent) >= seconds * 1e9 && n >= 2) break
  }
  return Number(spent) / n
}

async function measureMixed(cases, plan) {
  const names = Object.keys(cases)
  const iters = {}
  for (const name of names) {
    const fn = cases[name]
    const perOp = fn[ASYNC] ? await calibrateAsync(fn, plan.warmupSeconds) : calibrate(fn, plan.warmupSeconds)
    iters[name] = Math.max(1, Math.floor((plan.batchSeconds * 1e9) / perOp))
  }
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  for (let b = 0; b < plan.batches; b++) {
    const k = b % names.length
    for (const name of [...names.slice(k), ...names.slice(0, k)]) {
      const fn = cases[name]
      const n = iters[name]
      const t0 = now()
      if (fn[ASYNC]) for (let i = 0; i < n; i++) await fn()
      else for (let i = 0; i < n; i++) fn()
      samples[name].push(Number(now() - t0) / n)
    }
  }
  const out = {}
  for (const name of names) out[name] = { ...summarize(samples[name]), iters: iters[name] }
  return out
}

function measure(cases, plan) {
  const names = Object.keys(cases)
  const iters = {}
  for (const name of names) {
    const perOp = calibrate(cases[name], plan.warmupSeconds)
    iters[name] = Math.max(1, Math.floor((plan.batchSeconds * 1e9) / perOp))
  }
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  for (let b = 0; b < plan.batches; b++) {
    const k = b % names.length
    for (const name of [...names.slice(k), ...names.slice(0, k)]) {
      const fn = cases[name]
      const n = iters[name]
      const t0 = now()
      for (let i = 0; i < n; i++) fn()
      samples[name].push(Number(now() - t0) / n)
    }
  }
  const out = {}
  for (const name of names) out[name] = { ...summarize(samples[name]), iters: iters[name] }
  return out
}

// One turn of the event loop: callbacks queued by native threads (a gate's audit events) run.
const turn = () => new Promise((resolve) => setImmediate(resolve))

// `measure` for cases whose work finishes on the event loop: every case runs in chunks of
// `chunk` calls with a turn of the loop between chunks, inside the timing, so what a case queues
// there (a gate's audit callbacks) is paid by that case. Every case gets the same turns.
// `afterBatch[name]` (async) runs after each warm-up and batch of that case, outside the timing.
async function measureChunked(cases, plan, { chunk = 256, afterBatch = {} } = {}) {
  const names = Object.keys(cases)
  const run = async (fn, n) => {
    for (let done = 0; done < n; ) {
      const end = Math.min(n, done + chunk)
      for (; done < end; done++) fn()
      await turn()
    }
  }
  const iters = {}
  for (const name of names) {
    let n = 0
    const start = now()
    for (;;) {
      await run(cases[name], chunk)
      n += chunk
      if (Number(now() - start) >= plan.warmupSeconds * 1e9) break
    }
    const perOp = Number(now() - start) / n
    iters[name] = Math.max(1, Math.floor((plan.batchSeconds * 1e9) / perOp))
    if (afterBatch[name]) await afterBatch[name]()
  }
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  for (let b = 0; b < plan.batches; b++) {
    const k = b % names.length
    for (const name of [...names.slice(k), ...names.slice(0, k)]) {
      const n = iters[name]
      const t0 = now()
      await run(cases[name], n)
      samples[name].push(Number(now() - t0) / n)
      if (afterBatch[name]) await afterBatch[name]()
    }
  }
  const out = {}
  for (const name of names) out[name] = { ...summarize(samples[name]), iters: iters[name] }
  return out
}

const results = { rows: [], throughput: [], skipped: [], notes: {} }

function add(group, op, measured, peers) {
  for (const [name, summary] of Object.entries(measured)) {
    const impl = name === 'portcullis' ? 'portcullis' : peers[name] || name
    results.rows.push({ group, op, impl, is_portcullis: name === 'portcullis', case: name, ns: summary })
    console.log(`  ${op.padEnd(48)} ${impl.padEnd(44)} ${Math.round(summary.median).toLocaleString('en-US').padStart(12)} ns/op`)
  }
}

function skip(what) {
  console.log(`  SKIPPED: ${what}`)
  results.skipped.push(what)
}

module.exports = { now, summarize, calibrate, ASYNC, markAsync, measureMixed, measure, measureChunked, turn, results, add, skip }
