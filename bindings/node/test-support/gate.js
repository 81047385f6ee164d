'use strict'
// The gate configuration and helpers the gate tests share (test/gate*.test.js,
// test/verifier.test.js).

const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { portcullis } = require('./helpers')
const { Gate, Request, JwtKey, jwtEncode, hashPassword } = portcullis

const NOW = 1_767_225_600
const JWT_SECRET = 'gate-test-jwt-secret-0123456789abcdef'
const PEPPER = 'gate-test-pepper-0123456789abcdef'
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const SECRETS = { jwt: JWT_SECRET, pepper: PEPPER, whsec: WHSEC }
// Cheap parameters: these tests are about the gate, not the hash.
const BOB_HASH = hashPassword('pw-bob', { memoryKib: 64, iterations: 1, parallelism: 1 })

const CONFIG = `
version = 1

[credentials.tokens]
method = "jwt"
audiences = ["api"]
keys = { static = [{ alg = "HS256", secret = "secret:jwt" }] }

[credentials.keys]
method = "api_key"
pepper = "secret:pepper"

[credentials.hooks]
method = "webhook"
scheme = "standard"
secrets = ["secret:whsec"]

[credentials.ops]
method = "basic"
realm = "ops"
users = { bob = "${BOB_HASH}" }

[[routes]]
name = "health"
path = "/health"
require = { anonymous = true }

[[routes]]
name = "orders"
methods = ["GET"]
path = "/orders/{id}"
require = { any_of = ["tokens", "keys"] }
scopes = ["orders:read"]

[[routes]]
name = "ops"
path = "/ops"
require = { any_of = ["tokens", "ops"] }

[[routes]]
name = "hooks"
methods = ["POST"]
path = "/hooks"
require = "hooks"

[[routes]]
name = "limited"
path = "/limited"
require = "tokens"
rate_limits = ["two"]

[rate_limits.two]
key = "principal"
quota = 2
window_seconds = 60
`

const CONFIG_JSON = {
  version: 1,
  credentials: {
    tokens: { method: 'jwt', audiences: ['api'], keys: { static: [{ alg: 'HS256', secret: 'secret:jwt' }] } },
    keys: { method: 'api_key', pepper: 'secret:pepper' },
    hooks: { method: 'webhook', scheme: 'standard', secrets: ['secret:whsec'] },
    ops: { method: 'basic', realm: 'ops', users: { bob: BOB_HASH } },
  },
  routes: [
    { name: 'health', path: '/health', require: { anonymous: true } },
    { name: 'orders', methods: ['GET'], path: '/orders/{id}', require: { any_of: ['tokens', 'keys'] }, scopes: ['orders:read'] },
    { name: 'ops', path: '/ops', require: { any_of: ['tokens', 'ops'] } },
    { name: 'hooks', methods: ['POST'], path: '/hooks', require: 'hooks' },
    { name: 'limited', path: '/limited', require: 'tokens', rate_limits: ['two'] },
  ],
  rate_limits: { two: { key: 'principal', quota: 2, window_seconds: 60 } },
}

const jwtKey = JwtKey.fromSecret(Buffer.from(JWT_SECRET), 'HS256')

function token(claims) {
  return jwtEncode({ sub: 'alice', aud: 'api', exp: NOW + 60, ...claims }, jwtKey)
}

function request(method, target, headers = [], extra = {}) {
  return new Request({ method, target, headers, now: NOW, ...extra })
}

function bearer(target, scope = 'orders:read', extra = {}) {
  return request('GET', target, [['authorization', `Bearer ${token({ scope })}`]], extra)
}

function gate(options = {}) {
  return Gate.fromToml(CONFIG, { secrets: SECRETS, ...options })
}

/** Waits (a bounded number of event loop turns) until `ready()`; fails if it never is. */
async function until(ready, what) {
  for (let i = 0; i < 1000; i++) {
    if (ready()) return
    await new Promise((resolve) => (i < 100 ? setImmediate(resolve) : setTimeout(resolve, 5)))
  }
  assert.fail(`gave up waiting for ${what}`)
}

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-gate-'))
}

const DECISION_KEYS = ['allowed', 'status', 'route', 'params', 'credential', 'satisfied', 'principal', 'anonymous', 'code', 'message', 'challenges', 'headers', 'retryAfter', 'problem']
const PRINCIPAL_KEYS = ['subject', 'method', 'credentialId', 'scopes', 'claims', 'expiresAt']
const EVENT_KEYS = ['time', 'route', 'requestId', 'peerAddress', 'tried', 'credential', 'method', 'subject', 'credentialId', 'outcome', 'status', 'code', 'latencyUs']
module.exports = {
  NOW,
  JWT_SECRET,
  PEPPER,
  WHSEC,
  SECRETS,
  CONFIG,
  CONFIG_JSON,
  jwtKey,
  token,
  request,
  bearer,
  gate,
  until,
  tempDir,
  DECISION_KEYS,
  PRINCIPAL_KEYS,
  EVENT_KEYS,
}
