'use strict'
// The gate's own cost in Node: `gate.check` against calling the winning credential's verifier
// directly on the same prepared Request, with audit on to a counting callback; and a
// per-principal rate limit against none on the API key route (bench/README.md; the Rust twin is
// bench/rust/src/gate.rs: the same configuration, secrets and requests).
//
// The target rows ("portcullis", "rate-limited") count with the batch callback, `auditBatch:
// (b) => { n += b.length }`, which parses no event; the per-event form, `audit: () => { n++ }`,
// which gets every event as an object, is the extra row "audit-per-event".
//
// The audit callback runs on the event loop, never inside `check`: the timed loops turn the
// event loop every 256 calls (measureChunked), so the callbacks of a batch's events run, and
// are paid for, inside that batch. Every case of a group gets the same turns.

const { measureChunked, turn, add, results } = require('./harness.js')

const PEPPER = 'bench-gate-pepper-0123456789abcdef'
const JWT_SECRET = 'bench-gate-jwt-secret-0123456789abcdef'
const NOW = 1_700_000_000
const SECRETS = { jwt: JWT_SECRET, pepper: PEPPER }
// The bucket holds this many tokens and the requests' time never moves, so it never refills:
// a run must stay under it (checked after the run), or the limited row would time refusals.
const QUOTA = 1_000_000

// Four routes; the JWT route is the last one, so the gate walks the others first.
function config(recordJson, limit) {
  const route = { name: 'orders', methods: ['GET'], path: '/orders/{id}', require: 'keys' }
  if (limit) route.rate_limits = ['caller']
  return JSON.stringify({
    credentials: {
      tokens: { method: 'jwt', audiences: ['api'], keys: { static: [{ alg: 'HS256', secret: 'secret:jwt' }] } },
      keys: { method: 'api_key', pepper: 'secret:pepper', records: [JSON.parse(recordJson)] },
    },
    routes: [
      { name: 'health', path: '/health', require: { anonymous: true } },
      { name: 'admin', path: '/admin/*', require: 'tokens' },
      route,
      { name: 'profile', methods: ['GET'], path: '/profile', require: 'tokens' },
    ],
    rate_limits: { caller: { key: 'principal', quota: QUOTA, window_seconds: 1 } },
  })
}

// What a handler reads from a decision: whether it may go on, then who is calling (the direct
// verify returns that principal, so the gate hands it over too).
function gateCase(gate, request) {
  return () => {
    const d = gate.check(request)
    return d.allowed ? d.principal : null
  }
}

// A gate whose audit callback counts (a closure over a number: the cheapest honest callback),
// once per batch (`auditBatch`) or once per event (`audit`, each event an object).
function countingGate(portcullis, text, perEvent = false) {
  let n = 0
  const audit = perEvent ? { audit: () => void n++ } : { auditBatch: (b) => void (n += b.length) }
  const gate = portcullis.Gate.fromJson(text, { secrets: SECRETS, ...audit })
  return { gate, count: () => n }
}

// After each of a gate's batches, outside the timing: the events still queued (the tail) are
// delivered and their callbacks run before the next case's batch. `tail` keeps how many there
// were per batch: the part of the callback's work the gate's row does not pay for.
function settler({ gate, count }) {
  const tail = []
  const waiting = () => {
    const { submitted, dropped } = gate.auditStats()
    return submitted - dropped - count()
  }
  const settle = async () => {
    tail.push(waiting())
    if (!gate.flushAudit(5000)) throw new Error('the audit events were not delivered within 5 s')
    for (let i = 0; i < 100 && waiting() > 0; i++) await turn()
    if (waiting() > 0) throw new Error('the audit callbacks did not run')
  }
  settle.tail = tail
  return settle
}

function remainingTokens(decision) {
  const field = decision.headers.find(([name]) => name === 'RateLimit')
  const m = field && /;r=(\d+)/.exec(field[1])
  return m ? Number(m[1]) : null
}

// The gates, requests and direct verifiers of every case, each case checked once.
function setup(portcullis) {
  const ring = new portcullis.ApiKeyRing({ pepper: Buffer.from(PEPPER) })
  const issued = ring.generate({ subject: 'svc-billing', scopes: ['orders:read'], now: NOW })
  const record = issued.record.toJson()
  const plain = countingGate(portcullis, config(record, false))
  const perEvent = countingGate(portcullis, config(record, false), true)
  const limited = countingGate(portcullis, config(record, true))
  const quiet = portcullis.Gate.fromJson(config(record, false), { secrets: SECRETS })
  // The JWT route's direct twin: a JwtVerifier built as the gate's credential is (the same key
  // and audience, every other setting the default).
  const key = portcullis.JwtKey.fromSecret(Buffer.from(JWT_SECRET), 'HS256')
  const claims = { sub: 'user-1234567890', aud: 'api', exp: NOW + 3600, iat: NOW, jti: '3f1c1a6e-5a7b-4c1e-9d1a-2b6c7d8e9f00', scope: 'orders:read' }
  const token = portcullis.jwtEncode(claims, key)
  const jwtRequest = new portcullis.Request({ method: 'GET', target: '/profile', headers: [['Authorization', `Bearer ${token}`]], now: NOW + 10 })
  const keys = new portcullis.JwtKeySet()
  keys.insert(key)
  const verifier = new portcullis.JwtVerifier(keys, { audiences: ['api'] })
  // The API key route's direct twin: the gate's own ring.
  const keyRequest = new portcullis.Request({ method: 'GET', target: '/orders/42', headers: [['Authorization', `Bearer ${issued.key}`]], now: NOW + 10 })
  const gateRing = plain.gate.apiKeyRing('keys')
  if (!gateRing) throw new Error('the gate has no ring named keys')
  // The per-event gate holds the same record in its own ring.
  perEvent.gate.apiKeyRing('keys').insert(issued.record)
  const cases = {
    'gate-jwt': gateCase(plain.gate, jwtRequest),
    'direct-jwt': () => verifier.verify(jwtRequest),
    'quiet-jwt': gateCase(quiet, jwtRequest),
    'event-jwt': gateCase(perEvent.gate, jwtRequest),
    'gate-apikey': gateCase(plain.gate, keyRequest),
    'direct-apikey': () => gateRing.verify(keyRequest),
    'limited-apikey': gateCase(limited.gate, keyRequest),
    'quiet-apikey': gateCase(quiet, keyRequest),
    'event-apikey': gateCase(perEvent.gate, keyRequest),
  }
  // Every case accepts its request with the same subject; the gate names the credential.
  for (const [name, fn] of Object.entries(cases)) {
    const want = name.endsWith('-jwt') ? 'user-1234567890' : 'svc-billing'
    if (fn().subject !== want) throw new Error(`${name}: another subject`)
  }
  if (plain.gate.check(jwtRequest).credential !== 'tokens' || plain.gate.check(keyRequest).credential !== 'keys') {
    throw new Error('a route was decided by another credential')
  }
  return { plain, perEvent, limited, keyRequest, cases }
}

async function benchGate(plan, portcullis) {
  const { plain, perEvent, limited, keyRequest, cases: c } = setup(portcullis)
  const settlePlain = settler(plain)
  const settlePerEvent = settler(perEvent)
  const settleLimited = settler(limited)
  let cases = { portcullis: c['gate-jwt'], direct: c['direct-jwt'], 'audit-per-event': c['event-jwt'], 'no-audit': c['quiet-jwt'] }
  add(
    'gate_jwt_hs256',
    'Gate decision, JWT HS256 route (4 routes, audit to a counting batch callback)',
    await measureChunked(cases, plan, { afterBatch: { portcullis: settlePlain, 'audit-per-event': settlePerEvent } }),
    {
      direct: 'JwtVerifier.verify, the gate\'s key and audience (direct)',
      'audit-per-event': 'the same gate, audit to a counting per-event callback (informational)',
      'no-audit': 'the same gate without audit (informational)',
    },
  )

  cases = {
    portcullis: c['gate-apikey'],
    direct: c['direct-apikey'],
    'rate-limited': c['limited-apikey'],
    'audit-per-event': c['event-apikey'],
    'no-audit': c['quiet-apikey'],
  }
  add(
    'gate_apikey',
    'Gate decision, API key route (audit to a counting batch callback)',
    await measureChunked(cases, plan, { afterBatch: { portcullis: settlePlain, 'rate-limited': settleLimited, 'audit-per-event': settlePerEvent } }),
    {
      direct: "gate.apiKeyRing('keys').verify (direct)",
      'rate-limited': 'the same route with a per-principal rate limit',
      'audit-per-event': 'the same gate, audit to a counting per-event callback (informational)',
      'no-audit': 'the same gate without audit (informational)',
    },
  )
  const left = remainingTokens(limited.gate.check(keyRequest))
  if (!(left > 0)) throw new Error(`the rate limit ran out during the run (remaining ${left}): the limited row timed refusals`)

  await settlePlain()
  await settlePerEvent()
  await settleLimited()
  const gates = { plain, perEvent, limited }
  const stats = Object.fromEntries(Object.entries(gates).map(([k, g]) => [k, g.gate.auditStats()]))
  const all = Object.values(stats)
  const delivered = all.reduce((n, s) => n + s.delivered, 0)
  const callbacks = Object.values(gates).reduce((n, g) => n + g.count(), 0)
  const lost = all.reduce((n, s) => n + s.dropped + s.sinkFailures, 0)
  results.notes.gate_audit = {
    gates: stats,
    counted_by_callback: callbacks,
    rate_limit_tokens_left: left,
    // Events whose callback had not run when a gate batch ended (run untimed before the next).
    undelivered_at_batch_end: { plain: settlePlain.tail, perEvent: settlePerEvent.tail, limited: settleLimited.tail },
  }
  console.log(`  audit: ${delivered} delivered, ${callbacks} counted by the callback, ${lost} dropped or failed; rate limit: ${left} of ${QUOTA} tokens left`)
  // An event dropped is a callback the gate rows did not pay for; the report says so.
  if (lost || callbacks !== delivered) console.log('  WARNING: audit events were dropped or not counted (the machine is busy?)')
}

// One case in a loop and nothing else, for a profiler (bench/profile-notes.md):
//   node bench/node/gate.js --profile gate-jwt [--calls 200000]
async function profile(portcullis, name, calls) {
  const { plain, perEvent, limited, cases } = setup(portcullis)
  const fn = cases[name]
  if (!fn) throw new Error(`unknown case ${name}: one of ${Object.keys(cases).join(', ')}`)
  // The same turns of the event loop as the bench, so the audit callbacks run.
  for (let done = 0; done < calls; done += 256) {
    for (let i = 0; i < 256; i++) fn()
    await turn()
  }
  for (const g of [plain, perEvent, limited]) await settler(g)()
}

module.exports = { benchGate }

if (require.main === module) {
  const args = process.argv.slice(2)
  const arg = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt)
  const portcullis = require(require('node:path').resolve(__dirname, '..', '..', 'bindings', 'node'))
  profile(portcullis, arg('--profile'), Number(arg('--calls', '200000'))).catch((e) => {
    console.error(e)
    process.exit(1)
  })
}
