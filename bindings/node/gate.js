'use strict'
// The JS layer of `Gate` and `Verifier`: conversion only, every rule is the core's.
//
// - `check`, `checkAsync` and `Verifier.prototype.verify` take the hidden natives that return
//   the JSON text of the decision's (or principal's) values in order, which `JSON.parse` turns
//   into objects far faster than N-API sets their members one by one; these become the objects
//   the native methods return (same members, same order, same values). When JSON cannot carry
//   a principal's claims exactly the native returns the object itself, passed on as is.
// - The `audit` callback: the native sink hands each batch of events, as JSON text, to a
//   threadsafe function; the dispatcher below calls the user's callback once per event. A
//   callback that throws, or returns a promise that rejects, is counted (`sinkFailures`) and
//   never reaches `check`.

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

/** The audit callback failures of each gate built with a callback. */
const failures = new WeakMap()

/** The `GateDecision` from what a native check returned: the JSON text of its fourteen values
 * in order (the principal as its six, see `principal.js`), or the object itself. */
function decisionOf(result) {
  if (typeof result !== 'string') return result
  const d = JSON.parse(result)
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

/** The `AuditEvent` from the core's event JSON (which leaves out absent members). */
function eventOf(e) {
  return {
    time: e.time,
    route: e.route ?? null,
    requestId: e.request_id ?? null,
    peerAddress: e.peer_address ?? null,
    tried: e.tried,
    credential: e.credential ?? null,
    method: e.method ?? null,
    subject: e.subject ?? null,
    credentialId: e.credential_id ?? null,
    outcome: e.outcome,
    status: e.status,
    code: e.code ?? null,
    latencyUs: e.latency_us,
  }
}

/** The function the native sink calls with each batch: `callback` once per event. */
function dispatcher(callback, counter) {
  const failed = () => {
    counter.failures++
  }
  return function deliverAuditBatch(batch) {
    const events = JSON.parse(batch)
    for (let i = 0; i < events.length; i++) {
      try {
        const r = callback(eventOf(events[i]))
        if (r !== null && typeof r === 'object' && typeof r.then === 'function') r.then(undefined, failed)
      } catch (_) {
        counter.failures++
      }
    }
  }
}

/** A factory that gives the native one the dispatcher in place of the user's `audit`. */
function withAudit(native, name) {
  return {
    [name](source, options) {
      if (options === null || typeof options !== 'object' || typeof options.audit !== 'function') {
        return native.call(this, source, options)
      }
      const counter = { failures: 0 }
      const gate = native.call(this, source, { ...options, audit: dispatcher(options.audit, counter) })
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

define(Gate.prototype, 'check', function check(request) {
  return decisionOf(checkJson.call(this, request))
})

define(Gate.prototype, 'checkAsync', function checkAsync(request) {
  return checkAsyncJson.call(this, request).then(decisionOf)
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
