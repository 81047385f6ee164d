'use strict'
// Shared helpers for the Node test suite: loading the binding, the shared vectors, and turning
// the vectors' snake_case JSON configs into the binding's camelCase options objects.

const fs = require('node:fs')
const path = require('node:path')

const portcullis = require('..')

const VECTORS = path.resolve(__dirname, '..', '..', '..', 'tests', 'vectors')

function loadVectors(name) {
  return JSON.parse(fs.readFileSync(path.join(VECTORS, name), 'utf8')).cases
}

// Values of these options are data keyed by the caller (user names, metadata): copied as is.
const DATA_MAPS = new Set(['users', 'metadata'])

function camel(name) {
  return name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
}

/** snake_case JSON config -> camelCase options object (recursively, data maps untouched). */
function camelize(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const out = {}
  for (const [key, v] of Object.entries(value)) {
    const name = camel(key)
    out[name] = DATA_MAPS.has(name) ? v : camelize(v)
  }
  return out
}

/** A vector's request object -> Request, time pinned to `now`. */
function buildRequest(spec, now) {
  let headers = spec.headers || []
  if (spec.headers_b64) {
    headers = spec.headers_b64.map(([n, v]) => [n, Buffer.from(v, 'base64')])
  }
  return new portcullis.Request({ method: spec.method, target: spec.target, headers, now })
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

module.exports = { portcullis, loadVectors, camelize, buildRequest, outcome, outcomeAsync, VECTORS }
