'use strict'
// End-to-end requests per second on loopback: a small JSON route behind `Authorization: Bearer`
// (JWT HS256), served by Express and by Fastify with (a) no authentication, (b) the framework's
// usual JWT peer (express-jwt, given a KeyObject secret; @fastify/jwt with `onRequest` +
// `request.jwtVerify()`), (c) portcullis (`authenticate` from portcullis/express; the
// portcullis/fastify plugin).
//
//   node bench/e2e/node/run.js [--requests 20000] [--warmup 2000] [--rounds 3]
//
// Each measurement starts the server in a child process (one per variant, NODE_ENV=production)
// and the load generator in another: 2 keep-alive connections, each sending its next request
// when the previous answer arrived, `--warmup` requests first, then `--requests` timed. The
// variants are interleaved (round 1: every variant, round 2: every variant, ...) and each
// variant's median round is reported. Every variant must answer 200 with the token, and 401
// without it (but for `none`), before timing. Prints a markdown table. The frameworks and peers
// are the dev dependencies of bindings/node (`make build-node` installs them).

const { fork } = require('node:child_process')
const { createSecretKey } = require('node:crypto')
const http = require('node:http')
const os = require('node:os')
const path = require('node:path')
const { createRequire } = require('node:module')

const ROOT = path.resolve(__dirname, '..', '..', '..')
const NODE_PACKAGE = path.join(ROOT, 'bindings', 'node')
const fromPackage = createRequire(path.join(NODE_PACKAGE, 'package.json'))

const SECRET = 'bench-e2e-jwt-secret-0123456789abcdef'
const AUDIENCE = 'api'
const GATE = `
version = 1

[credentials.tokens]
method = "jwt"
audiences = ["${AUDIENCE}"]
keys = { static = [{ alg = "HS256", secret = "secret:jwt" }] }

[[routes]]
name = "orders"
methods = ["GET"]
path = "/orders/{id}"
require = "tokens"
`

const VARIANTS = [
  ['express', 'none'],
  ['express', 'express-jwt'],
  ['express', 'portcullis'],
  ['fastify', 'none'],
  ['fastify', '@fastify/jwt'],
  ['fastify', 'portcullis'],
]

// ---- the server (child) -------------------------------------------------------------------

function expressApp(variant) {
  const express = fromPackage('express')
  const app = express()
  if (variant === 'express-jwt') {
    const { expressjwt } = fromPackage('express-jwt')
    // A KeyObject, as bench/node gives jsonwebtoken: with the string, jsonwebtoken tries (and
    // fails) to read it as a public key on every call, about 40 times slower.
    app.use(expressjwt({ secret: createSecretKey(Buffer.from(SECRET)), algorithms: ['HS256'], audience: AUDIENCE }))
    app.get('/orders/:id', (req, res) => res.json({ id: req.params.id, sub: req.auth.sub }))
    app.use((err, req, res, next) => (err.name === 'UnauthorizedError' ? res.status(401).json({ error: err.code }) : next(err)))
  } else if (variant === 'portcullis') {
    const { Gate } = require(NODE_PACKAGE)
    const { authenticate, denialHandler } = require(path.join(NODE_PACKAGE, 'express.js'))
    app.use(authenticate(Gate.fromToml(GATE, { secrets: { jwt: SECRET } })))
    app.get('/orders/:id', (req, res) => res.json({ id: req.params.id, sub: req.auth.principal.subject }))
    app.use(denialHandler())
  } else {
    app.get('/orders/:id', (req, res) => res.json({ id: req.params.id, sub: null }))
  }
  return http.createServer(app)
}

async function fastifyApp(variant) {
  const app = fromPackage('fastify')()
  if (variant === '@fastify/jwt') {
    await app.register(fromPackage('@fastify/jwt'), { secret: SECRET, verify: { allowedAud: AUDIENCE, algorithms: ['HS256'] } })
    app.addHook('onRequest', async (request) => {
      await request.jwtVerify()
    })
    app.get('/orders/:id', async (request) => ({ id: request.params.id, sub: request.user.sub }))
  } else if (variant === 'portcullis') {
    const { Gate } = require(NODE_PACKAGE)
    await app.register(require(path.join(NODE_PACKAGE, 'fastify.js')), { gate: Gate.fromToml(GATE, { secrets: { jwt: SECRET } }) })
    app.get('/orders/:id', async (request) => ({ id: request.params.id, sub: request.auth.principal.subject }))
  } else {
    app.get('/orders/:id', async (request) => ({ id: request.params.id, sub: null }))
  }
  await app.ready()
  return app.server
}

async function serve(framework, variant) {
  const server = framework === 'express' ? expressApp(variant) : await fastifyApp(variant)
  server.keepAliveTimeout = 60_000
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  process.send({ port: server.address().port })
  // The parent asks for the CPU time this process has used (µs) before and after the timed run.
  process.on('message', () => {
    const { user, system } = process.cpuUsage()
    process.send({ cpuUs: user + system })
  })
  process.on('disconnect', () => {
    server.closeAllConnections()
    server.close(() => process.exit(0))
  })
}

// ---- the load generator (child) -----------------------------------------------------------

function get(agent, port, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/orders/7', agent, headers }, (res) => {
      res.on('data', () => {})
      res.on('end', () => resolve(res.statusCode))
      res.on('error', reject)
    })
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')))
    req.on('error', reject)
    req.end()
  })
}

async function load(port, token, warmup, count) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 })
  const headers = { authorization: `Bearer ${token}` }
  const unauthorized = await get(agent, port, {})
  const authorized = await get(agent, port, headers)
  let bad = 0
  const run = async (n) => {
    let left = n
    const loop = async () => {
      while (left > 0) {
        left--
        if ((await get(agent, port, headers)) !== 200) bad++
      }
    }
    await Promise.all([loop(), loop()])
  }
  await run(warmup)
  // The parent reads the server's CPU time, then says go.
  await new Promise((resolve) => {
    process.once('message', resolve)
    process.send({ warm: true })
  })
  const start = process.hrtime.bigint()
  await run(count)
  const elapsedNs = Number(process.hrtime.bigint() - start)
  agent.destroy()
  process.send({ unauthorized, authorized, bad, elapsedNs })
}

// ---- the parent ---------------------------------------------------------------------------

function child(args) {
  return fork(__filename, args, { env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
}

function firstMessage(proc) {
  return new Promise((resolve, reject) => {
    const exited = (code) => reject(new Error(`child exited (${code}) before answering`))
    proc.once('exit', exited)
    proc.once('message', (m) => {
      proc.removeListener('exit', exited)
      resolve(m)
    })
  })
}

async function measure(framework, variant, token, warmup, count) {
  const server = child(['serve', framework, variant])
  try {
    const { port } = await firstMessage(server)
    const generator = child(['load', String(port), token, String(warmup), String(count)])
    await firstMessage(generator)
    server.send('cpu')
    const before = (await firstMessage(server)).cpuUs
    const done = firstMessage(generator)
    generator.send('go')
    const result = await done
    server.send('cpu')
    const after = (await firstMessage(server)).cpuUs
    const refused = variant === 'none' ? 200 : 401
    if (result.unauthorized !== refused || result.authorized !== 200 || result.bad !== 0) {
      throw new Error(`${framework} ${variant}: without a token ${result.unauthorized}, with it ${result.authorized}, ${result.bad} timed requests not 200`)
    }
    return { rps: count / (result.elapsedNs / 1e9), cpuUs: (after - before) / count }
  } finally {
    server.disconnect()
  }
}

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  if (i < 0) return fallback
  const n = Number(process.argv[i + 1])
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} takes a positive integer`)
  return n
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const us = (rps) => 1e6 / rps

async function main() {
  const count = option('requests', 20_000)
  const warmup = option('warmup', 2_000)
  const rounds = option('rounds', 3)
  const { JwtKey, jwtEncode } = require(NODE_PACKAGE)
  const key = JwtKey.fromSecret(Buffer.from(SECRET), 'HS256')
  const token = jwtEncode({ sub: 'alice', aud: AUDIENCE, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 }, key)

  const samples = new Map(VARIANTS.map((v) => [v.join(' '), []]))
  const load1 = os.loadavg()[0]
  for (let r = 0; r < rounds; r++) {
    for (const [framework, variant] of VARIANTS) {
      samples.get(`${framework} ${variant}`).push(await measure(framework, variant, token, warmup, count))
    }
  }

  const versions = ['express', 'express-jwt', 'fastify', '@fastify/jwt'].map((p) => `${p} ${fromPackage(`${p}/package.json`).version}`)
  const lines = [
    `End-to-end, loopback, Node ${process.version}, ${os.cpus().length} CPUs (load average ${load1.toFixed(2)} at start); ${versions.join(', ')}.`,
    `GET /orders/7 with \`Authorization: Bearer\` (JWT HS256, audience checked), 2 keep-alive connections, ${count} requests after ${warmup} of warm-up, median of ${rounds} interleaved rounds.`,
    'Added µs/request: 1/rps − 1/rps(none). Server CPU: the server process\'s user + system time per timed request (less sensitive than req/s to other load on the machine).',
    '',
    '| framework | variant | req/s | added µs/request | server CPU µs/request | added CPU µs | rounds (req/s) |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
  ]
  const ratios = []
  for (const framework of ['express', 'fastify']) {
    const of = (variant) => samples.get(`${framework} ${variant}`)
    const rps = (variant) => median(of(variant).map((m) => m.rps))
    const cpu = (variant) => median(of(variant).map((m) => m.cpuUs))
    const added = {}
    const addedCpu = {}
    for (const [f, variant] of VARIANTS) {
      if (f !== framework) continue
      added[variant] = us(rps(variant)) - us(rps('none'))
      addedCpu[variant] = cpu(variant) - cpu('none')
      const shown = (x) => (variant === 'none' ? '-' : x.toFixed(1))
      const all = of(variant).map((m) => m.rps.toFixed(0)).join(', ')
      lines.push(`| ${framework} | ${variant} | ${rps(variant).toFixed(0)} | ${shown(added[variant])} | ${cpu(variant).toFixed(1)} | ${shown(addedCpu[variant])} | ${all} |`)
    }
    const peer = framework === 'express' ? 'express-jwt' : '@fastify/jwt'
    ratios.push(
      `${framework}: added(portcullis) / added(${peer}) = ${(added.portcullis / added[peer]).toFixed(2)} by req/s, ` +
        `${(addedCpu.portcullis / addedCpu[peer]).toFixed(2)} by server CPU (target ≤ 0.33)`,
    )
  }
  lines.push('', ...ratios)
  process.stdout.write(lines.join('\n') + '\n')
}

const [mode, ...args] = process.argv.slice(2)
if (mode === 'serve') {
  serve(args[0], args[1]).catch((err) => {
    console.error(err)
    process.exit(1)
  })
} else if (mode === 'load') {
  load(Number(args[0]), args[1], Number(args[2]), Number(args[3])).catch((err) => {
    console.error(err)
    process.exit(1)
  })
} else {
  main().catch((err) => {
    console.error(err)
    process.exitCode = 1
  })
}
