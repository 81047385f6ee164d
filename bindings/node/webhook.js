'use strict'
// `WebhookVerifier.prototype.verifyPayload(body, headers, options)`: verifies a webhook from
// its raw body and the headers as the host's framework holds them (node:http / Express /
// Fastify `req.headers`, a WHATWG `Headers`, a `Map`, `[name, value]` pairs or Node's flat
// `rawHeaders`), without building a `Request`.
//
// Conversion only: this finds, in JavaScript (cheap once V8 has compiled it), the values of the
// few fields the verifier's scheme reads (`headerNames()`, cached per verifier), and passes
// them as plain arguments to the hidden native `_verifyPayloadWith` (or, when a field comes
// more than once, every such field to `_verifyPayloadFields`, and the core refuses the repeat).
// Every rule (trimming, CR/LF/NUL, repeats, limits, signatures, time) is the core's. The native
// returns the principal as JSON text, which `JSON.parse` turns into the `Principal` object the
// native methods return (see jwt.js). Fields the scheme does not read are never converted.

const { WebhookVerifier } = require('./index.js')
const { principalOf } = require('./principal.js')

const nativeHandle = WebhookVerifier.prototype._handle
const nativeHeaderNames = WebhookVerifier.prototype.headerNames
const verifyWith = WebhookVerifier._verifyPayloadWith
const verifyFields = WebhookVerifier._verifyPayloadFields
const invalidArgument = WebhookVerifier._invalidArgument

/** How many values `_verifyPayloadWith` takes. */
const VALUES = 4
/** Where a verifier keeps its `{ handle, names }` (made on its first `verifyPayload`). */
const STATE = Symbol('portcullis.WebhookVerifier.payload')
/** The state of verifiers that take no new property (frozen or sealed by their owner). */
const sealedStates = new WeakMap()

/** Throws the binding's `invalid_argument` error (code, number, httpStatus, ...). */
function invalid(detail) {
  invalidArgument(`verifyPayload: ${detail}`)
  // Not reached: the native throws.
  throw new TypeError(detail)
}

/** The native handle and header names of `verifier`, looked up once. */
function stateOf(verifier) {
  let state = verifier[STATE]
  if (state !== undefined) return state
  state = sealedStates.get(verifier)
  if (state !== undefined) return state
  if (!(verifier instanceof WebhookVerifier)) invalid('call it on a WebhookVerifier')
  state = { handle: nativeHandle.call(verifier), names: nativeHeaderNames.call(verifier) }
  if (Object.isExtensible(verifier)) Object.defineProperty(verifier, STATE, { value: state })
  else sealedStates.set(verifier, state)
  return state
}

/** `key` lower-cased, ASCII letters only (`toLowerCase` also maps some non-ASCII letters onto
 * ASCII ones, such as KELVIN SIGN onto `k`: such a key is returned as is and matches no name). */
function asciiLower(key) {
  const lower = key.toLowerCase()
  if (lower !== key) {
    for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0x7f) return key
  }
  return lower
}

/** The index in `names` (lower case) of the field named `key`, ASCII case-insensitively, or -1.
 * Lower-case keys (node:http's) are matched without lower-casing anything. */
function indexOf(names, key) {
  let sameLength = false
  for (let i = 0; i < names.length; i++) {
    if (key.length === names[i].length) {
      if (key === names[i]) return i
      sameLength = true
    }
  }
  if (!sameLength) return -1
  const lower = asciiLower(key)
  if (lower === key) return -1
  for (let i = 0; i < names.length; i++) if (lower === names[i]) return i
  return -1
}

/**
 * Calls `visit(index, value)` for each field of `headers` whose name is the `index`th of
 * `names`, once per value, in the headers' order; `visit` returns false to stop. Refuses (as
 * `invalid_argument`) a shape it does not know, a name that is not a string, and a value of a
 * visited field that is not a string (or, in an object or a Map, an array of strings).
 */
function eachField(names, headers, visit) {
  if (Array.isArray(headers)) {
    if (headers.length === 0) return
    if (Array.isArray(headers[0])) {
      for (let k = 0; k < headers.length; k++) {
        const pair = headers[k]
        if (!Array.isArray(pair) || pair.length !== 2) invalid('headers: each pair must be [name, value]')
        const name = pair[0]
        if (typeof name !== 'string') invalid('headers: a name must be a string')
        const i = indexOf(names, name)
        if (i >= 0) {
          const value = pair[1]
          if (typeof value !== 'string') invalid(`headers: the value of ${names[i]} must be a string`)
          if (!visit(i, value)) return
        }
      }
      return
    }
    // Node's flat rawHeaders: [name, value, name, value, ...]
    if (headers.length % 2 !== 0) invalid('headers: a flat rawHeaders array must have an even length')
    for (let k = 0; k < headers.length; k += 2) {
      const name = headers[k]
      if (typeof name !== 'string') invalid('headers: a name must be a string')
      const i = indexOf(names, name)
      if (i >= 0) {
        const value = headers[k + 1]
        if (typeof value !== 'string') invalid(`headers: the value of ${names[i]} must be a string`)
        if (!visit(i, value)) return
      }
    }
    return
  }
  if (headers === null || typeof headers !== 'object' || ArrayBuffer.isView(headers)) {
    invalid('headers must be an object, a Headers, a Map or an array of [name, value] pairs')
  }
  if (headers instanceof Map) {
    for (const [name, value] of headers) {
      if (typeof name !== 'string') invalid('headers: a name must be a string')
      const i = indexOf(names, name)
      if (i >= 0 && !visitValue(names, i, value, visit)) return
    }
    return
  }
  if (typeof headers.get === 'function') {
    // WHATWG Headers (fetch, undici, Next.js): `get` is case-insensitive and joins a
    // repeated field into one value.
    for (let i = 0; i < names.length; i++) {
      const value = headers.get(names[i])
      if (value === null || value === undefined) continue
      if (typeof value !== 'string') invalid(`headers: get('${names[i]}') must return a string or null`)
      if (!visit(i, value)) return
    }
    return
  }
  const keys = Object.keys(headers)
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]
    const i = indexOf(names, key)
    if (i >= 0 && !visitValue(names, i, headers[key], visit)) return
  }
}

/** Visits the value of an object or Map entry: a string, an array of them (a repeated
 * field), or `undefined` (absent). */
function visitValue(names, i, value, visit) {
  if (typeof value === 'string') return visit(i, value)
  if (value === undefined) return true
  if (!Array.isArray(value)) invalid(`headers: the value of ${names[i]} must be a string or an array of strings`)
  for (let k = 0; k < value.length; k++) {
    if (typeof value[k] !== 'string') invalid(`headers: the value of ${names[i]} must be a string or an array of strings`)
    if (!visit(i, value[k])) return false
  }
  return true
}

/** The body as bytes: a Buffer or Uint8Array as is, an ArrayBuffer viewed, a string as UTF-8. */
function bytesOf(body) {
  if (body instanceof Uint8Array) return body
  if (typeof body === 'string') return Buffer.from(body, 'utf8')
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  return invalid('body must be a Buffer, a Uint8Array, an ArrayBuffer or a string')
}

/** `options.now`: a number or `undefined` (the native checks it is whole Unix seconds). */
function nowOf(options) {
  if (options === undefined) return undefined
  if (options === null || typeof options !== 'object') invalid('options must be an object')
  const now = options.now
  if (now !== undefined && typeof now !== 'number') invalid('now must be a whole number of Unix seconds')
  return now
}

/** Collects the values into `slots` (one per name); false when a field comes twice. */
function collect(names, headers, slots) {
  let once = true
  eachField(names, headers, (i, value) => {
    if (slots[i] !== undefined) return (once = false)
    slots[i] = value
    return true
  })
  return once
}

Object.defineProperty(WebhookVerifier.prototype, 'verifyPayload', {
  configurable: true,
  enumerable: false,
  writable: true,
  value: function verifyPayload(body, headers, options) {
    const state = stateOf(this)
    const bytes = bytesOf(body)
    const now = nowOf(options)
    const names = state.names
    if (names.length <= VALUES) {
      const slots = [undefined, undefined, undefined, undefined]
      if (collect(names, headers, slots)) {
        return principalOf(verifyWith(state.handle, bytes, now, slots[0], slots[1], slots[2], slots[3]))
      }
    }
    // A field came more than once (or the scheme reads more fields than the fast path takes):
    // pass every value of every read field, and let the core decide.
    const fields = []
    eachField(names, headers, (i, value) => {
      fields.push(names[i], value)
      return true
    })
    return principalOf(verifyFields(state.handle, bytes, now, fields))
  },
})

module.exports = {}
