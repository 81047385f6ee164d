'use strict'
// Shared helpers for the Node test suite: loading the binding, the shared vectors, and turning
// the vectors' snake_case JSON configs into the binding's camelCase options objects.

const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')

const portcullis = require('..')

const VECTORS = path.resolve(__dirname, '..', '..', '..', 'tests', 'vectors')

function loadVectors(name) {
  return JSON.parse(fs.readFileSync(path.join(VECTORS, name), 'utf8')).cases
}

// Values of these options are data keyed by the caller (user names, metadata, field names):
// copied as is.
const DATA_MAPS = new Set(['users', 'metadata', 'structuredFields'])

function camel(name) {
  return name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
}

/** snake_case JSON config -> camelCase options object (recursively through objects and
 * arrays, data maps untouched). */
function camelize(value) {
  if (Array.isArray(value)) return value.map(camelize)
  if (value === null || typeof value !== 'object') return value
  const out = {}
  for (const [key, v] of Object.entries(value)) {
    const name = camel(key)
    out[name] = DATA_MAPS.has(name) ? v : camelize(v)
  }
  return out
}

/** A vector message's header list (`headers`, or `headers_b64` for raw bytes). */
function headersOf(spec) {
  if (spec.headers_b64) return spec.headers_b64.map(([n, v]) => [n, Buffer.from(v, 'base64')])
  return spec.headers || []
}

/** A vector's raw body: `body` (UTF-8 text) or `body_b64`; `undefined` when there is none. */
function bodyOf(spec) {
  if (typeof spec.body === 'string') return Buffer.from(spec.body, 'utf8')
  if (typeof spec.body_b64 === 'string') return Buffer.from(spec.body_b64, 'base64')
  return undefined
}

/** A vector's request object -> Request, time pinned to `now`. */
function buildRequest(spec, now) {
  const options = { method: spec.method, target: spec.target, headers: headersOf(spec), now }
  const body = bodyOf(spec)
  if (body !== undefined) options.body = body
  if (spec.scheme !== undefined) options.scheme = spec.scheme
  return new portcullis.Request(options)
}

/** A vector's response object -> Response, time pinned to `now`. */
function buildResponse(spec, now) {
  const options = { status: spec.status, headers: headersOf(spec), now }
  const body = bodyOf(spec)
  if (body !== undefined) options.body = body
  return new portcullis.Response(options)
}

/** Runs `fn`; returns `{ ok: value }` or `{ error: err }` (errors must carry a string code). */
function outcome(fn) {
  try {
    return { ok: fn() }
  } catch (error) {
    return { error }
  }
}

async function outcomeAsync(fn) {
  try {
    return { ok: await fn() }
  } catch (error) {
    return { error }
  }
}

const PRINCIPAL_FIELDS = {
  subject: 'subject',
  method: 'method',
  credential_id: 'credentialId',
  scopes: 'scopes',
  claims: 'claims',
  expires_at: 'expiresAt',
}

/** JSON with sorted keys, compact (what serde_json emits for the claims map). */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** Compares the principal fields a vector lists (and `claims_canonical`). */
function checkPrincipal(principal, expected) {
  for (const [field, want] of Object.entries(expected)) {
    if (field === 'claims_canonical') {
      assert.equal(canonical(principal.claims), want, 'claims_canonical')
      continue
    }
    const name = PRINCIPAL_FIELDS[field]
    assert.ok(name, `unknown principal field in vector: ${field}`)
    assert.deepEqual(principal[name], want, field)
  }
}

/** Compares every field of `expected` with the same field of `got`. */
function checkFields(got, expected) {
  for (const [field, want] of Object.entries(expected)) {
    assert.ok(field in got, `result has no field ${field}`)
    assert.deepEqual(got[field], want, field)
  }
}

/** Checks an outcome against a vector's `expect` (`ok` through `checkOk`, or the error). */
function checkOutcome(result, expect, checkOk) {
  if ('error' in expect) {
    assert.ok(!('ok' in result), `expected error ${expect.error}, got success ${JSON.stringify(result.ok)}`)
    const err = result.error
    assert.ok(err instanceof Error, 'thrown value is an Error')
    assert.equal(err.code, expect.error, `code (detail: ${err.detail || err.message})`)
    assert.equal(typeof err.number, 'number')
    assert.equal(typeof err.httpStatus, 'number')
    assert.equal(err.message.length > 0, true)
    if ('challenge' in expect) assert.equal(err.challenge, expect.challenge, 'challenge')
  } else {
    assert.ok('ok' in expect, 'vector expects ok or error')
    if (result.error) {
      assert.fail(`expected success, got ${result.error.code}: ${result.error.detail || result.error.message}`)
    }
    checkOk(result.ok, expect.ok)
  }
}

/**
 * A new key pair (`crypto.generateKeyPairSync` arguments) as KeyObjects parsed from PEM. Node 20
 * can deadlock when its collector frees a synchronous key-generation job while a KeyObject
 * that shares that job's key is being exported or used (the job's destructor waits on the
 * key's lock, which the export holds): keys parsed afresh share nothing with the job.
 */
function keyPair(type, options = {}) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync(type, {
    ...options,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
  return { publicKey: crypto.createPublicKey(publicKey), privateKey: crypto.createPrivateKey(privateKey) }
}

/** Asserts `fn` throws the core's refusal of an unknown option name (`json_invalid`, as an
 * unknown field in `fromJson`; `invalid_argument` for argon2 parameters and certificate specs),
 * naming the option as the caller spelled it. */
function throwsUnknownOption(fn, name, code = 'json_invalid') {
  assert.throws(fn, (err) => {
    assert.equal(err.code, code, `${err.code}: ${err.detail || err.message}`)
    assert.equal(typeof err.number, 'number', 'a portcullis error, not a type error')
    assert.ok(err.detail.includes(`unknown option \`${name}\``), err.detail)
    return true
  })
}

module.exports = {
  portcullis,
  throwsUnknownOption,
  keyPair,
  loadVectors,
  camelize,
  headersOf,
  bodyOf,
  buildRequest,
  buildResponse,
  outcome,
  outcomeAsync,
  canonical,
  checkPrincipal,
  checkFields,
  checkOutcome,
  VECTORS,
}
