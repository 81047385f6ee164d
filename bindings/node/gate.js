'use strict'
// The JS layer of `Gate` and `Verifier`: conversion only, every rule is the core's.
//
// - `check`, `checkAsync` and `Verifier.prototype.verify` take the hidden natives that return
//   the JSON text of the decision's (or principal's) values in order, which `JSON.parse` turns
//   into objects far faster than N-API sets their members one by one; these become the objects
//   the native methods return (same members, same order, same values). The usual allowed
//   decision comes in a short form of nine values (and its headers as lines), the rest being
//   an allowed decision's constants. When JSON cannot carry a principal's claims exactly the native returns the
//   object itself, passed on as is.
// - The audit callbacks: the native sink hands each batch of events, as its count and the JSON
//   text of the events' values (thirteen each, one flat array), to a threadsafe function; the
//   dispatcher below wraps them in an `AuditBatch`, calls `auditBatch` with it and `audit` once
//   per event. The text is parsed when an event is first read, so a batch callback that only
//   counts parses nothing; while batches go unread the sink does not even write their text. A callback that throws, or returns a promise that rejects, is
//   counted (`sinkFailures`: once per call) and never reaches `check`.

const { Gate, Verifier } = require('./index.js')
const { principalOf } = require('./principal.js')

const nativeCheck = Gate.prototype.check
const nativeCheckAsync = Gate.prototype.checkAsync
const nativeVerify = Verifier.prototype.verify
const nativeFromFile = Gate.fromFile
const nativeFromToml = Gate.fromToml
const nativeFromJson = Gate.fromJson
const nativeAuditStats = Gate.prototype.auditStats
const checkJson = Gate.prototype._checkJson
const checkAsyncJson = Gate.prototype._checkAsyncJson
const verifyJson = Verifier.prototype._verifyJson
const auditBatchText = Gate._auditBatchText

/** The audit callback failures of each gate built with a callback. */
const failures = new WeakMap()

/** The `GateDecision` from what a native check returned: the JSON text of its values (the
 * short form's nine, in order, the principal's six flattened, after any headers as lines; or
 * all fourteen, the principal as its six, see `principal.js`), or the object itself. */
function decisionOf(result) {
  if (typeof result !== 'string') return result
  let headers = null
  // A short form with headers: a line break, then each name and value followed by one, then
  // the JSON (`[`). `split` would cost a runtime call and an array more.
  if (result.charCodeAt(0) === 10) {
    headers = []
    let start = 1
    while (result.charCodeAt(start) !== 91) {
      const name = result.indexOf('\n', start)
      const value = result.indexOf('\n', name + 1)
      if (name < 0 || value < 0) throw new Error('portcullis: malformed decision text')
      headers[headers.length] = [result.slice(start, name), result.slice(name + 1, value)]
      start = value + 1
    }
    result = result.slice(start)
  }
  const d = JSON.parse(result)
  if (d.length === 9) {
    return {
      allowed: true,
      status: 200,
      route: d[0],
      params: d[2],
      credential: d[1],
      satisfied: [d[1]],
      principal: { subject: d[3], method: d[4], credentialId: d[5], scopes: d[6], claims: d[7], expiresAt: d[8] },
      anonymous: false,
      code: null,
      message: null,
      challenges: [],
      headers: headers === null ? [] : headers,
      retryAfter: null,
      problem: null,
    }
  }
  const p = d[6]
  return {
    allowed: d[0],
    status: d[1],
    route: d[2],
    params: d[3],
    credential: d[4],
    satisfied: d[5],
    principal: p === null ? null : { subject: p[0], method: p[1], credentialId: p[2], scopes: p[3], claims: p[4], expiresAt: p[5] },
    anonymous: d[7],
    code: d[8],
    message: d[9],
    challenges: d[10],
    headers: d[11],
    retryAfter: d[12],
    problem: d[13],
  }
}

/** How many values each event has in a batch's text (`gate_audit.rs`). */
const EVENT_VALUES = 13

/** The `AuditEvent` whose values start at `values[k]`. */
function eventAt(values, k) {
  return {
    time: values[k],
    route: values[k + 1],
    requestId: values[k + 2],
    peerAddress: values[k + 3],
    tried: values[k + 4],
    credential: values[k + 5],
    method: values[k + 6],
    subject: values[k + 7],
    credentialId: values[k + 8],
    outcome: values[k + 9] ? 'allow' : 'deny',
    status: values[k + 10],
    code: values[k + 11],
    latencyUs: values[k + 12],
  }
}

/** Lets the dispatcher make batches; users only receive them. */
const MAKE = Symbol('AuditBatch')
/** For the dispatcher: the event at `i` of a batch, `i` already in range. */
let eventOf
/** For the dispatcher: whether a batch's events were read. */
let wasRead

/** One batch of audit events, in submission order: `length`, `at(i)`, iteration. The events
 * are made from the batch's text when one is first read, each once (`at(i)` twice gives the
 * same object). The native side hands the text, or (while batches go unread) the events in an
 * external whose text `auditBatchText` writes. */
class AuditBatch {
  #length
  #text
  #values = null
  #events = null

  constructor(token, length, text) {
    if (token !== MAKE) throw new TypeError('AuditBatch objects are made by the gate')
    this.#length = length
    this.#text = text
  }

  /** How many events the batch holds. */
  get length() {
    return this.#length
  }

  /** The event at `index` (a negative index counts from the end), or `undefined`. */
  at(index) {
    let i = Math.trunc(index) || 0
    if (i < 0) i += this.#length
    if (i < 0 || i >= this.#length) return undefined
    return this.#event(i)
  }

  * [Symbol.iterator]() {
    for (let i = 0; i < this.#length; i++) yield this.#event(i)
  }

  #event(i) {
    if (this.#values === null) {
      const t = this.#text
      this.#values = JSON.parse(typeof t === 'string' ? t : auditBatchText(t))
      this.#text = null
      this.#events = new Array(this.#length)
    }
    let e = this.#events[i]
    if (e === undefined) e = this.#events[i] = eventAt(this.#values, i * EVENT_VALUES)
    return e
  }

  get [Symbol.toStringTag]() {
    return 'AuditBatch'
  }

  static {
    eventOf = (batch, i) => batch.#event(i)
    wasRead = (batch) => batch.#values !== null
  }
}

/** The function the native sink calls with each batch's count and payload: `perBatch` once
 * with the `AuditBatch`, then `perEvent` once per event (either may be undefined). It returns
 * whether the batch was read, which tells the sink whether to write the next one's text. */
function dispatcher(perEvent, perBatch, counter) {
  const failed = () => {
    counter.failures++
  }
  const call = (callback, value) => {
    try {
      const r = callback(value)
      if (r !== null && typeof r === 'object' && typeof r.then === 'function') r.then(undefined, failed)
    } catch (_) {
      counter.failures++
    }
  }
  return function deliverAuditBatch(length, text) {
    const batch = new AuditBatch(MAKE, length, text)
    if (perBatch !== undefined) call(perBatch, batch)
    if (perEvent !== undefined) for (let i = 0; i < length; i++) call(perEvent, eventOf(batch, i))
    return wasRead(batch)
  }
}

const given = (value) => value !== undefined && value !== null

/** A factory that gives the native one the dispatcher in place of the user's `audit` and
 * `auditBatch` (values that are not functions go to the native, which refuses them). */
function withAudit(native, name) {
  return {
    [name](source, options) {
      if (options === null || typeof options !== 'object') return native.call(this, source, options)
      const { audit, auditBatch } = options
      const perEvent = typeof audit === 'function' ? audit : undefined
      const perBatch = typeof auditBatch === 'function' ? auditBatch : undefined
      const refused = (given(audit) && perEvent === undefined) || (given(auditBatch) && perBatch === undefined)
      if ((perEvent === undefined && perBatch === undefined) || refused) return native.call(this, source, options)
      const counter = { failures: 0 }
      const gate = native.call(this, source, { ...options, audit: dispatcher(perEvent, perBatch, counter), auditBatch: undefined })
      failures.set(gate, counter)
      return gate
    },
  }[name]
}

function define(target, name, value) {
  Object.defineProperty(target, name, { ...Object.getOwnPropertyDescriptor(target, name), value })
}

define(Gate, 'fromFile', withAudit(nativeFromFile, 'fromFile'))
define(Gate, 'fromToml', withAudit(nativeFromToml, 'fromToml'))
define(Gate, 'fromJson', withAudit(nativeFromJson, 'fromJson'))

define(Gate.prototype, 'check', function check(request, scopes) {
  return decisionOf(checkJson.call(this, request, scopes))
})

define(Gate.prototype, 'checkAsync', function checkAsync(request, scopes) {
  return checkAsyncJson.call(this, request, scopes).then(decisionOf)
})

define(Gate.prototype, 'auditStats', function auditStats() {
  const stats = nativeAuditStats.call(this)
  const counter = failures.get(this)
  if (counter !== undefined) stats.sinkFailures += counter.failures
  return stats
})

define(Verifier.prototype, 'verify', function verify(request, scopes) {
  return principalOf(verifyJson.call(this, request, scopes))
})

// `native`: the methods these replace, for the tests that compare both paths.
module.exports = { Gate, Verifier, native: { check: nativeCheck, checkAsync: nativeCheckAsync, verify: nativeVerify } }
