'use strict'
// The Express middleware alone, in process: portcullis `authenticate` against express-jwt (and an
// empty middleware as the floor), each called with the same request object as Node's server
// would make it (rawHeaders, headers, socket), no HTTP. Separates what the middleware costs from
// what the server around it costs, which dominates run.js's end-to-end figures.
//
//   node bench/e2e/node/middleware.js [--calls 100000]

const path = require('node:path')
const { createRequire } = require('node:module')
const { createHmac, createSecretKey } = require('node:crypto')

const NODE_PACKAGE = path.join(__dirname, '..', '..', '..', 'bindings', 'node')
const fromPackage = createRequire(path.join(NODE_PACKAGE, 'package.json'))
const { Gate } = require(NODE_PACKAGE)
const { authenticate } = require(path.join(NODE_PACKAGE, 'express.js'))
const { expressjwt } = fromPackage('express-jwt')

const SECRET = 'bench-e2e-jwt-secret-0123456789abcdef'
const GATE = `
[credentials.tokens]
method = "jwt"
audiences = ["api"]
keys = { static = [{ alg = "HS256", secret = "secret:jwt" }] }

[[routes]]
path = "/orders/{id}"
require = "tokens"
`

function token() {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'alice', aud: 'api', exp: Math.floor(Date.now() / 1000) + 3600 })}`
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`
}

const authorization = `Bearer ${token()}`
const rawHeaders = ['Host', '127.0.0.1:3000', 'Connection', 'keep-alive', 'Authorization', authorization, 'User-Agent', 'undici']
const socket = { remoteAddress: '127.0.0.1', encrypted: false }
function request() {
  const headers = { host: '127.0.0.1:3000', connection: 'keep-alive', authorization, 'user-agent': 'undici' }
  return { method: 'GET', url: '/orders/7', originalUrl: '/orders/7', rawHeaders, headers, socket }
}

const arg = process.argv.indexOf('--calls')
const CALLS = arg < 0 ? 100_000 : Number(process.argv[arg + 1])
if (!Number.isSafeInteger(CALLS) || CALLS <= 0) throw new Error('--calls takes a positive integer')

async function perCall(middleware) {
  const once = () => new Promise((resolve, reject) => middleware(request(), {}, (e) => (e ? reject(e) : resolve())))
  for (let i = 0; i < Math.min(CALLS, 10_000); i++) await once()
  const start = process.hrtime.bigint()
  for (let i = 0; i < CALLS; i++) await once()
  return Number(process.hrtime.bigint() - start) / CALLS / 1000
}

async function main() {
  const variants = {
    'empty middleware': (req, res, next) => next(),
    'portcullis authenticate': authenticate(Gate.fromToml(GATE, { secrets: { jwt: SECRET } })),
    'express-jwt': expressjwt({ secret: createSecretKey(Buffer.from(SECRET)), algorithms: ['HS256'], audience: 'api' }),
  }
  const best = {}
  // Three interleaved rounds; the best of each (the least disturbed by the rest of the machine).
  for (let round = 0; round < 3; round++) {
    for (const [name, middleware] of Object.entries(variants)) {
      const us = await perCall(middleware)
      best[name] = Math.min(best[name] ?? Infinity, us)
    }
  }
  const floor = best['empty middleware']
  console.log('| middleware | µs per call (best of 3) | above the empty middleware |')
  console.log('| --- | ---: | ---: |')
  for (const [name, us] of Object.entries(best)) console.log(`| ${name} | ${us.toFixed(2)} | ${(us - floor).toFixed(2)} |`)
  const ratio = (best['portcullis authenticate'] - floor) / (best['express-jwt'] - floor)
  console.log(`\nportcullis / express-jwt, above the floor: ${ratio.toFixed(2)} (target ≤ 0.33)`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
