'use strict'
// portcullis vs Node peers, side by side, in one process.
//
// Method: every workload times each implementation in batches with process.hrtime.bigint();
// batches of the peers are interleaved (the order rotates every round) after a warm-up; each
// batch yields ns/op and we report medians, quartiles and min/max over the batches.
//
//   node --expose-gc bench/node/bench.js --out build/bench/node.json [--smoke] [--only webhook,apikey,threads,jwt,mtls,gate]
//   (--expose-gc lets it collect garbage between workloads; optional)
//
// Peers are optional: standardwebhooks (and the JWT peers jose, jsonwebtoken, fast-jwt) are looked up in bench/node/node_modules (what
// `make bench` installs with npm ci), then in bindings/node/node_modules (what `make test` has);
// when neither has it, its rows are skipped and the skip is recorded.

const path = require('node:path')
const fs = require('node:fs')
const crypto = require('node:crypto')
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads')

const ROOT = path.resolve(__dirname, '..', '..')
const portcullis = require(path.join(ROOT, 'bindings', 'node'))

function loadPeer(name) {
  for (const dir of [path.join(__dirname, 'node_modules'), path.join(ROOT, 'bindings', 'node', 'node_modules')]) {
    try {
      const resolved = require.resolve(name, { paths: [dir] })
      if (!resolved.startsWith(dir)) continue
      const version = JSON.parse(fs.readFileSync(path.join(dir, name, 'package.json'), 'utf8')).version
      return { mod: require(resolved), version, from: path.relative(ROOT, dir) }
    } catch (_) {
      // try the next place
    }
  }
  return null
}

// --- inputs (deterministic; the same bytes for every peer) -----------------------------------

const SECRET_RAW = Buffer.from(Array.from({ length: 32 }, (_, i) => i))
const SECRET = 'whsec_' + SECRET_RAW.toString('base64')
const MSG_ID = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W'

function jsonBody(size) {
  const head = '{"type":"invoice.paid","data":{"id":"inv_1","pad":"'
  const tail = '"}}'
  const fill = size - head.length - tail.length
  return Buffer.from(head + 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(Math.ceil(fill / 36)).slice(0, fill) + tail)
}

function webhookInputs(size, ts) {
  const body = jsonBody(size)
  const signer = new portcullis.WebhookSigner({ scheme: 'standard', secret: SECRET })
  const headers = { 'content-type': 'application/json' }
  for (const [name, value] of signer.sign(body, { timestamp: ts, messageId: MSG_ID })) headers[name.toLowerCase()] = value
  return { body, headers }
}

// The least a correct Node handler does: HMAC-SHA256 over id.ts.body, base64, constant-time compare.
function floorVerify(key, body, headers) {
  const mac = crypto.createHmac('sha256', key)
  mac.update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.`)
  mac.update(body)
  const expected = Buffer.from(mac.digest('base64'))
  for (const entry of headers['webhook-signature'].split(' ')) {
    const comma = entry.indexOf(',')
    if (entry.slice(0, comma) !== 'v1') continue
    const sig = Buffer.from(entry.slice(comma + 1))
    if (sig.length === expected.length && crypto.timingSafeEqual(sig, expected)) return true
  }
  return false
}

// verifyPayload(body, headers): the raw body and the very headers object the npm peer gets
// (node:http's req.headers shape), time from the system clock as the peer's.
function makeWebhookCase(size, ts) {
  const { body, headers } = webhookInputs(size, ts)
  const verifier = new portcullis.WebhookVerifier({ secrets: [SECRET], replayProtection: false })
  return () => verifier.verifyPayload(body, headers)
}

// The earlier way, kept as an informational row: build a Request, then verify it.
function makeWebhookRequestCase(size, ts) {
  const { body, headers } = webhookInputs(size, ts)
  const pairs = Object.entries(headers)
  const verifier = new portcullis.WebhookVerifier({ secrets: [SECRET], replayProtection: false })
  return () => verifier.verify(new portcullis.Request({ method: 'POST', target: '/webhooks', headers: pairs, body, now: ts }))
}

// --- worker side of the threads workload ------------------------------------------------------

// JWT: one token per algorithm with 8 typical claims; the same keys and token for every library.
const JWT_ISS = 'https://issuer.example.com'
const JWT_AUD = 'https://api.example.com'
const JWT_SECRET = Buffer.from(Array.from({ length: 32 }, (_, i) => 200 + i))
const JWT_ALGS = ['HS256', 'RS256', 'ES256', 'EdDSA']

function jwtClaims(ts) {
  // around the wall clock: jose, jsonwebtoken and fast-jwt check against Date.now()
  return {
    iss: JWT_ISS,
    sub: 'user-1234567890',
    aud: JWT_AUD,
    exp: ts + 3600,
    iat: ts,
    nbf: ts,
    jti: '3f1c1a6e-5a7b-4c1e-9d1a-2b6c7d8e9f00',
    scope: 'orders:read orders:write',
  }
}

function jwtVerifier(alg, publicJwk) {
  const keys = new portcullis.JwtKeySet()
  keys.insert(alg === 'HS256' ? portcullis.JwtKey.fromSecret(JWT_SECRET, 'HS256') : portcullis.JwtKey.fromJwk(publicJwk))
  return new portcullis.JwtVerifier(keys, { issuers: [JWT_ISS], audiences: [JWT_AUD], algorithms: [alg] })
}

function makeJwtCase(alg, publicJwk, token, ts) {
  const verifier = jwtVerifier(alg, publicJwk)
  return () => verifier.verifyToken(token, { now: ts }).claims
}

if (!isMainThread) {
  const fn = workerData.kind === 'jwt' ? makeJwtCase(workerData.alg, workerData.jwk, workerData.token, workerData.ts) : makeWebhookCase(workerData.size, workerData.ts)
  parentPort.on('message', (n) => {
    for (let i = 0; i < n; i++) fn()
    parentPort.postMessage('done')
  })
  return
}

// --- timing: harness.js ------------------------------------------------------------------------

const { now, summarize, calibrate, ASYNC, markAsync, measureMixed, measure, results, add, skip } = require('./harness.js')
const { benchGate } = require('./gate.js')

// --- workloads --------------------------------------------------------------------------------

function benchWebhook(plan, sw) {
  for (const [size, label] of [[1024, '1k'], [65536, '64k']]) {
    const ts = Math.floor(Date.now() / 1000) // standardwebhooks checks the wall clock
    const { body, headers } = webhookInputs(size, ts)
    const cases = {
      portcullis: makeWebhookCase(size, ts),
      floor: () => {
        if (!floorVerify(SECRET_RAW, body, headers)) throw new Error('floor rejected a valid signature')
      },
    }
    const peers = { floor: 'node:crypto createHmac + timingSafeEqual (floor)' }
    if (sw) {
      const wh = new sw.mod.Webhook(SECRET)
      cases.standardwebhooks = () => wh.verify(body, headers, { jsonParse: false })
      peers.standardwebhooks = `standardwebhooks ${sw.version} (npm, jsonParse: false)`
    }
    for (const fn of Object.values(cases)) fn()
    // portcullis refuses a tampered body
    const bad = Buffer.from(body)
    bad[bad.length - 3] ^= 1
    const verifier = new portcullis.WebhookVerifier({ secrets: [SECRET], replayProtection: false })
    let refused = false
    try {
      verifier.verifyPayload(bad, headers)
    } catch (e) {
      refused = e.code === 'signature_mismatch'
    }
    if (!refused) throw new Error('tampered body accepted')
    add(`webhook_standard_${label}`, `Standard Webhooks verifyPayload(body, headers), ${size / 1024} KiB body`, measure(cases, plan), peers)
  }
  // Informational (no peer): what the same verify costs through new Request + verify.
  const ts = Math.floor(Date.now() / 1000)
  add(
    'webhook_request_verify_1k',
    'Standard Webhooks new Request + verify(request), 1 KiB body (informational)',
    measure({ portcullis: makeWebhookRequestCase(1024, ts) }, plan),
    {},
  )
}

function benchApikey(plan) {
  const pepper = Buffer.from(Array.from({ length: 32 }, (_, i) => 100 + i))
  const big = plan.smoke ? 1000 : 1_000_000
  for (const count of [1, big]) {
    const ring = new portcullis.ApiKeyRing({ pepper, prefix: 'pc' })
    const target = ring.generate({ subject: 'svc-billing', scopes: ['orders:read'], now: 1_700_000_000 })
    ring.insert(target.record)
    const t0 = now()
    for (let i = 1; i < count; i++) ring.insert(ring.generate({ now: 1_700_000_000 }).record)
    const fill = Number(now() - t0)
    if (count > 1) {
      results.notes[`apikey_fill_${count}`] = { keys: count, generate_and_insert_seconds: fill / 1e9, per_key_us: fill / 1e3 / (count - 1) }
      console.log(`  filled ring with ${count.toLocaleString('en-US')} keys in ${(fill / 1e9).toFixed(1)} s (${(fill / 1e3 / (count - 1)).toFixed(2)} us/key)`)
    }
    const auth = [['Authorization', `Bearer ${target.key}`]]
    const req = new portcullis.Request({ method: 'GET', target: '/orders', headers: auth, now: 1_700_000_100 })
    if (ring.verify(req, ['orders:read']).subject !== 'svc-billing') throw new Error('verify failed')
    // The floor: a hand-rolled peppered-digest lookup in a Map of the same size.
    const table = new Map()
    for (let i = 0; i < count - 1; i++) table.set(crypto.createHash('sha256').update(String(i)).digest('latin1'), i)
    table.set(crypto.createHmac('sha256', pepper).update(target.key).digest('latin1'), -1)
    const label = count === 1_000_000 ? '1M' : String(count)
    add(
      `apikey_verify_${label}`,
      `API key verify, ${count.toLocaleString('en-US')} keys (prepared Request)`,
      measure(
        {
          portcullis: () => ring.verify(req),
          floor: () => {
            if (table.get(crypto.createHmac('sha256', pepper).update(auth[0][1].slice(7)).digest('latin1')) !== -1) throw new Error()
          },
        },
        plan,
      ),
      { floor: 'node:crypto createHmac + Map lookup (floor)' },
    )
    add(
      `apikey_build_verify_${label}`,
      `API key Request + verify, ${count.toLocaleString('en-US')} keys`,
      measure({ portcullis: () => ring.verify(new portcullis.Request({ method: 'GET', target: '/orders', headers: auth, now: 1_700_000_100 })) }, plan),
      {},
    )
  }
}

// N calls on 1 persistent worker vs N on each of 2, alternating which goes first.
async function threadsEntry(plan, group, op, data, calibrateFn) {
  const batches = plan.smoke ? 3 : 9
  const spawn = () =>
    new Promise((resolve, reject) => {
      const w = new Worker(__filename, { workerData: data })
      w.once('online', () => resolve(w))
      w.once('error', reject)
    })
  const workers = [await spawn(), await spawn()]
  const run = (k, n) =>
    new Promise((resolve) => {
      let left = k
      const t0 = now()
      for (let i = 0; i < k; i++) {
        workers[i].once('message', () => {
          if (--left === 0) resolve(Number(now() - t0) / 1e9)
        })
        workers[i].postMessage(n)
      }
    })
  // calibrate on the main thread (the first run of both workers is their warm-up)
  const perOp = calibrate(calibrateFn, plan.smoke ? 0.002 : 0.1) * 1e-9
  const n = Math.max(2, Math.floor((plan.smoke ? 0.005 : 0.25) / perOp))
  await run(2, n)
  const one = []
  const two = []
  const ratios = []
  for (let b = 0; b < batches; b++) {
    const got = {}
    for (const k of b % 2 === 0 ? [1, 2] : [2, 1]) got[k] = (k * n) / (await run(k, n))
    one.push(got[1])
    two.push(got[2])
    ratios.push(got[2] / got[1])
  }
  for (const w of workers) await w.terminate()
  results.throughput.push({
    group,
    op,
    ops_per_thread_per_batch: n,
    one_thread_ops_s: summarize(one),
    two_threads_ops_s: summarize(two),
    ratio: summarize(ratios),
  })
  const med = (a) => summarize(a).median
  console.log(`  worker_threads: ${op.padEnd(44)} 1 thread ${Math.round(med(one))}/s  2 threads ${Math.round(med(two))}/s  x${med(ratios).toFixed(2)}`)
}

async function benchThreads(plan) {
  for (const [size, label] of [[1024, '1k'], [65536, '64k']]) {
    const ts = Math.floor(Date.now() / 1000)
    await threadsEntry(plan, `webhook_standard_${label}`, `Standard Webhooks verifyPayload, ${size / 1024} KiB`, { kind: 'webhook', size, ts }, makeWebhookCase(size, ts))
  }
}

async function benchJwt(plan, jwtPeers) {
  const { jose, jsonwebtoken, fastJwt } = jwtPeers
  if (!jose) skip('node: jose not installed (peer of the JWT rows)')
  if (!jsonwebtoken) skip('node: jsonwebtoken not installed (peer of the JWT rows)')
  if (!fastJwt) skip('node: fast-jwt not installed (peer of the JWT rows)')
  const ts = Math.floor(Date.now() / 1000)
  const claims = jwtClaims(ts)
  const canon = (o) => JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1))))
  const same = (a) => canon(a) === canon(claims)
  let es256 = null
  for (const alg of JWT_ALGS) {
    const key = alg === 'HS256' ? portcullis.JwtKey.fromSecret(JWT_SECRET, 'HS256') : portcullis.JwtKey.generate(alg)
    const jwk = alg === 'HS256' ? null : key.publicJwk()
    const token = portcullis.jwtEncode(claims, key)
    if (alg === 'ES256') es256 = { jwk, token }
    // The same key for every peer, loaded once: a KeyObject (public for asymmetric algorithms).
    const keyObject = alg === 'HS256' ? crypto.createSecretKey(JWT_SECRET) : crypto.createPublicKey({ key: jwk, format: 'jwk' })
    const pem = alg === 'HS256' ? JWT_SECRET : keyObject.export({ type: 'spki', format: 'pem' })
    const cases = { portcullis: makeJwtCase(alg, jwk, token, ts) }
    const peers = {}
    if (jose) {
      const opts = { algorithms: [alg], issuer: JWT_ISS, audience: JWT_AUD }
      cases.jose = markAsync(async () => (await jose.mod.jwtVerify(token, keyObject, opts)).payload)
      peers.jose = `jose ${jose.version} (KeyObject, async)`
    }
    if (jsonwebtoken && alg !== 'EdDSA') {
      const opts = { algorithms: [alg], issuer: JWT_ISS, audience: JWT_AUD }
      cases.jsonwebtoken = () => jsonwebtoken.mod.verify(token, keyObject, opts)
      peers.jsonwebtoken = `jsonwebtoken ${jsonwebtoken.version} (KeyObject)`
    } else if (jsonwebtoken) {
      skip('node: jsonwebtoken has no EdDSA (no row)')
    }
    if (fastJwt) {
      const opts = { key: pem, algorithms: [alg], allowedIss: JWT_ISS, allowedAud: JWT_AUD }
      const plain = fastJwt.mod.createVerifier({ ...opts, cache: false })
      const cached = fastJwt.mod.createVerifier({ ...opts, cache: true })
      cases.fastjwt = () => plain(token)
      cases.fastjwt_cache = () => cached(token)
      peers.fastjwt = `fast-jwt, no cache (${fastJwt.version})`
      peers.fastjwt_cache = `fast-jwt + cache (${fastJwt.version})`
    }
    // Sanity: every case returns the same claims; portcullis refuses a tampered token.
    for (const [name, fn] of Object.entries(cases)) {
      const got = fn[ASYNC] ? await fn() : fn()
      if (!same(got)) throw new Error(`${name} returned other claims for ${alg}: ${JSON.stringify(got)}`)
    }
    const dot = token.lastIndexOf('.')
    const bad = token.slice(0, dot + 1) + (token[dot + 1] === 'A' ? 'B' : 'A') + token.slice(dot + 2)
    let refused = false
    try {
      jwtVerifier(alg, jwk).verifyToken(bad, { now: ts })
    } catch (e) {
      refused = typeof e.code === 'string' && e.code.startsWith('jwt_')
    }
    if (!refused) throw new Error('tampered token accepted')
    add(`jwt_verify_${alg.toLowerCase()}`, `JWT ${alg} verify + claims (8 claims)`, await measureMixed(cases, plan), peers)
  }
  // HS256 sign: the same claims, the same secret.
  const skey = portcullis.JwtKey.fromSecret(JWT_SECRET, 'HS256')
  const cases = { portcullis: () => portcullis.jwtEncode(claims, skey) }
  const peers = {}
  const secretKey = crypto.createSecretKey(JWT_SECRET)
  if (jose) {
    cases.jose = markAsync(() => new jose.mod.SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secretKey))
    peers.jose = `jose ${jose.version} (KeyObject, async)`
  }
  if (jsonwebtoken) {
    cases.jsonwebtoken = () => jsonwebtoken.mod.sign(claims, secretKey, { algorithm: 'HS256' })
    peers.jsonwebtoken = `jsonwebtoken ${jsonwebtoken.version} (KeyObject)`
  }
  if (fastJwt) {
    const signer = fastJwt.mod.createSigner({ key: JWT_SECRET, algorithm: 'HS256' })
    cases.fastjwt = () => signer(claims)
    peers.fastjwt = `fast-jwt, no cache (${fastJwt.version})`
  }
  const check = jwtVerifier('HS256', null)
  for (const fn of Object.values(cases)) {
    const tok = fn[ASYNC] ? await fn() : fn()
    if (!same(check.verifyToken(tok, { now: ts }).claims)) throw new Error('signed token does not verify')
  }
  add('jwt_sign_hs256', 'JWT HS256 sign (8 claims)', await measureMixed(cases, plan), peers)
  // ES256 verify from 2 worker threads vs 1 (portcullis; every worker builds its own verifier).
  if (global.gc) global.gc()
  await threadsEntry(plan, 'jwt_verify_es256', 'JWT ES256 verify + claims', { kind: 'jwt', alg: 'ES256', jwk: es256.jwk, token: es256.token, ts }, makeJwtCase('ES256', es256.jwk, es256.token, ts))
}

// mTLS: a P-256 client leaf with a SPIFFE URI SAN under one intermediate, verified at a fixed time.
const MTLS_NOW = 1_700_000_000
const MTLS_SPIFFE = 'spiffe://bench.example/api'

function pemDer(pem) {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem)
  if (!m) throw new Error('no certificate in PEM')
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64')
}

function benchMtls(plan) {
  const nb = MTLS_NOW - 86_400
  const na = MTLS_NOW + 365 * 86_400
  const root = new portcullis.DevCa('bench root', { notBefore: nb, notAfter: na })
  const inter = root.issueIntermediate('bench intermediate', { notBefore: nb, notAfter: na, pathLen: 0 })
  const leaf = inter.issueClient({ spiffeId: MTLS_SPIFFE, cn: 'api', notBefore: nb, notAfter: na })
  const leafDer = leaf.der
  const interDer = pemDer(inter.intermediatesPem())
  const rootDer = pemDer(root.caCertPem())
  const chain = [leafDer, interDer]
  const verifier = new portcullis.MtlsVerifier({ trustAnchors: [root.caCertPem()], spiffeTrustDomains: ['bench.example'] })
  // The floor (no path policy: no EKU, key usage, basic constraints, name constraints or SAN
  // checks): X509Certificate objects and the issuers' public keys built once; per call the
  // issuer/subject match, both signatures and the validity dates.
  const xLeaf = new crypto.X509Certificate(leafDer)
  const xInter = new crypto.X509Certificate(interDer)
  const xRoot = new crypto.X509Certificate(rootDer)
  const interKey = xInter.publicKey
  const rootKey = xRoot.publicKey
  const validity = [xLeaf, xInter, xRoot].map((c) => [Date.parse(c.validFrom), Date.parse(c.validTo)])
  const nowMs = MTLS_NOW * 1000
  const floor = () =>
    xLeaf.checkIssued(xInter) &&
    xLeaf.verify(interKey) &&
    xInter.checkIssued(xRoot) &&
    xInter.verify(rootKey) &&
    validity.every(([from, to]) => from <= nowMs && nowMs <= to)
  const cases = {
    portcullis: () => verifier.verifyChain(chain, MTLS_NOW).subject,
    floor: () => {
      if (!floor()) throw new Error('floor rejected the mTLS chain')
    },
  }
  const peers = { floor: 'node:crypto X509Certificate signature checks (floor, no path policy)' }
  // Sanity: both accept the chain; portcullis returns the SPIFFE ID and refuses a tampered leaf
  // and a chain under another root.
  for (const fn of Object.values(cases)) fn()
  if (cases.portcullis() !== MTLS_SPIFFE) throw new Error('portcullis returned another subject for the mTLS chain')
  const tampered = Buffer.from(leafDer)
  tampered[tampered.length - 1] ^= 1
  const other = new portcullis.DevCa('other root', { notBefore: nb, notAfter: na })
  const stranger = other.issueClient({ spiffeId: MTLS_SPIFFE, notBefore: nb, notAfter: na })
  for (const [bad, what] of [[[tampered, interDer], 'tampered leaf'], [[stranger.der], 'untrusted chain']]) {
    let refused = false
    try {
      verifier.verifyChain(bad, MTLS_NOW)
    } catch (e) {
      refused = typeof e.code === 'string' && e.code.startsWith('mtls_')
    }
    if (!refused) throw new Error(`${what} accepted`)
  }
  add('mtls_verify_p256', 'mTLS client chain verify (P-256, 1 intermediate)', measure(cases, plan), peers)
}

async function main() {
  const args = process.argv.slice(2)
  const arg = (name, dflt) => {
    const i = args.indexOf(name)
    return i >= 0 ? args[i + 1] : dflt
  }
  const smoke = args.includes('--smoke')
  const out = arg('--out')
  if (!out) throw new Error('--out is required')
  const only = new Set(arg('--only', 'webhook,apikey,threads,jwt,mtls,gate').split(','))
  const plan = smoke
    ? { smoke, batches: 3, batchSeconds: 0.002, warmupSeconds: 0.002 }
    : { smoke, batches: 15, batchSeconds: 0.04, warmupSeconds: 0.1 }
  console.log(`node bench (${smoke ? 'smoke' : 'full'}): portcullis ${portcullis.version}, Node ${process.version}`)
  const sw = loadPeer('standardwebhooks')
  const jwtPeers = { jose: loadPeer('jose'), jsonwebtoken: loadPeer('jsonwebtoken'), fastJwt: loadPeer('fast-jwt') }
  if (only.has('webhook')) {
    console.log('== webhook')
    if (!sw) skip('node: standardwebhooks not installed (peer of the webhook rows)')
    else console.log(`  standardwebhooks ${sw.version} from ${sw.from}`)
    benchWebhook(plan, sw)
  }
  // Threads before the 1M-key workload: its garbage (a million-entry Map, a million records)
  // would otherwise be collected by V8's helper threads while the workers run, on these 2 cores.
  if (only.has('threads')) {
    console.log('== threads')
    if (global.gc) global.gc()
    await benchThreads(plan)
  }
  // JWT before the 1M-key workload too (its ES256 threads row suffers from that garbage as well).
  if (only.has('jwt')) {
    console.log('== jwt')
    if (global.gc) global.gc()
    await benchJwt(plan, jwtPeers)
  }
  if (only.has('mtls')) {
    console.log('== mtls')
    if (global.gc) global.gc()
    benchMtls(plan)
  }
  // The gate before the 1M-key workload as well: V8 collecting that garbage would slow it.
  if (only.has('gate')) {
    console.log('== gate')
    if (global.gc) global.gc()
    await benchGate(plan, portcullis)
  }
  if (only.has('apikey')) {
    console.log('== apikey')
    if (global.gc) global.gc()
    benchApikey(plan)
  }
  const doc = {
    lang: 'node',
    smoke,
    runtime: `Node ${process.version}`,
    portcullis: portcullis.version,
    peers: {
      standardwebhooks: sw ? sw.version : null,
      ...Object.fromEntries(Object.entries(jwtPeers).map(([k, p]) => [k === 'fastJwt' ? 'fast-jwt' : k, p ? p.version : null])),
    },
    batches: plan.batches,
    ...results,
  }
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true })
  fs.writeFileSync(out, JSON.stringify(doc, null, 1))
  console.log(`node bench: wrote ${out}`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
