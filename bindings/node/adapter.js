'use strict'
// What the Express middleware (`express.js`) and the Fastify plugin (`fastify.js`) share:
// reading the adapter options, the `Request` built from a Node `IncomingMessage` (its raw
// headers, raw body, TLS chain, socket address and scheme), the bounded body reader, the gate
// call (sync or on the thread pool), and the parts of a denial. Conversion only: whether a
// request passes is the gate's decision. The adapter's own refusals (a body over the limit, a
// body it cannot read, a request the core refuses to build, a gate call that throws) fail
// closed, as decisions shaped like the gate's so that handlers and error paths see one shape.
// Private: not an export of the package.

const { Request } = require('./index.js')
const { Gate, checkMessage } = require('./gate.js')
const { peerCertificates } = require('./mtls.js')

/** The default `maxBodyBytes`: 1 MiB, the default of express.json() and Fastify's bodyLimit. */
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

const PROBLEM_TYPE = 'application/problem+json'

/** The options both adapters take, checked once (an unknown name is a typo: refused). */
function adapterOptions(options, known, where) {
  if (options === undefined || options === null) options = {}
  if (typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`${where}: options must be a plain object`)
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) throw new TypeError(`${where}: unknown option \`${name}\` (expected one of: ${known.join(', ')})`)
  }
  const required = options.required ?? true
  if (typeof required !== 'boolean') throw new TypeError(`${where}: option \`required\` must be a boolean`)
  const scopes = scopeList(options.scopes, `${where}: option \`scopes\``)
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0) {
    throw new TypeError(`${where}: option \`maxBodyBytes\` must be a non-negative integer`)
  }
  const now = options.now ?? null
  if (now !== null && typeof now !== 'function' && !Number.isFinite(now)) {
    throw new TypeError(`${where}: option \`now\` must be a number (Unix seconds) or a function returning one`)
  }
  return { required, scopes, maxBodyBytes, now }
}

/** A list of scope names (`undefined`/`null`: none), copied and frozen. */
function scopeList(value, what) {
  if (value === undefined || value === null) return EMPTY
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) throw new TypeError(`${what} must be an array of strings`)
  return value.length === 0 ? EMPTY : Object.freeze([...value])
}
const EMPTY = Object.freeze([])

function checkGate(gate, where) {
  if (gate === null || typeof gate !== 'object' || typeof gate.check !== 'function' || typeof gate.checkAsync !== 'function') {
    throw new TypeError(`${where}: expected a portcullis Gate`)
  }
}

/** Whether the request announces a body: a non-zero Content-Length, or any Transfer-Encoding
 * (chunked). Node's parser has already refused a request that sends both or a malformed one. */
function announcesBody(headers) {
  if (headers['transfer-encoding'] !== undefined) return true
  const length = headers['content-length']
  return length !== undefined && Number(length) !== 0
}

/** Thrown by `readBody` and turned into a refusal by `refusalOf`. */
class BodyRefused extends Error {
  constructor(status, code, title, cause) {
    super(title, cause === undefined ? undefined : { cause })
    this.status = status
    this.code = code
  }
}

function tooLarge() {
  return new BodyRefused(413, 'input_too_large', 'Request too large.')
}

/**
 * Reads `stream` to its end, at most `limit` bytes: resolves with the bytes as one Buffer.
 * Rejects with a 413 refusal as soon as the announced length or the bytes received exceed the
 * limit (the rest is not read: the refusal closes the connection), and with a 400 refusal when
 * the stream fails or ends early (a client that aborted).
 */
function readBody(stream, limit) {
  const announced = stream.headers === undefined ? undefined : stream.headers['content-length']
  if (announced !== undefined && Number(announced) > limit) return Promise.reject(tooLarge())
  return new Promise((resolve, reject) => {
    const chunks = []
    let received = 0
    const cleanup = () => {
      stream.removeListener('data', onData)
      stream.removeListener('end', onEnd)
      stream.removeListener('error', onError)
      stream.removeListener('aborted', onAborted)
      stream.removeListener('close', onClose)
    }
    const fail = (error) => {
      cleanup()
      // Stop taking bytes: paused, the rest stays in the kernel until the connection closes.
      if (typeof stream.pause === 'function') stream.pause()
      reject(error)
    }
    function onData(chunk) {
      received += chunk.length
      if (received > limit) fail(tooLarge())
      else chunks.push(chunk)
    }
    function onEnd() {
      cleanup()
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received))
    }
    function onError(error) {
      fail(new BodyRefused(400, 'request_invalid', 'Malformed request.', error))
    }
    function onAborted() {
      fail(new BodyRefused(400, 'request_invalid', 'Malformed request.'))
    }
    function onClose() {
      // 'close' before 'end': the body never completed.
      if (!stream.readableEnded) onAborted()
    }
    stream.on('data', onData)
    stream.once('end', onEnd)
    stream.once('error', onError)
    stream.once('aborted', onAborted)
    stream.once('close', onClose)
    if (typeof stream.resume === 'function') stream.resume()
  })
}

/** A refusal made by the adapter, shaped like a gate's denial (`GateDecision`). `input_too_large`
 * is the core's code for input over a limit; the status is 413 because it is the body. */
function refusal(status, code, title) {
  const headers = [['Content-Type', PROBLEM_TYPE]]
  // Unread bytes may still be on the way: close the connection rather than drain them.
  if (status === 413) headers.push(['Connection', 'close'])
  return {
    allowed: false,
    status,
    route: null,
    params: {},
    credential: null,
    satisfied: [],
    principal: null,
    anonymous: false,
    code,
    message: title,
    challenges: [],
    headers,
    retryAfter: null,
    problem: JSON.stringify({ type: `urn:portcullis:error:${code}`, title, status, code }),
  }
}

/** The refusal for anything thrown while reading or checking: a `BodyRefused`, a portcullis
 * error (its own code, public message and status: `new Request` refusing a malformed request),
 * or anything else (500, nothing of it shown). Returns `[decision, cause]`. */
function refusalOf(error) {
  if (error instanceof BodyRefused) return refusal(error.status, error.code, error.message)
  if (error !== null && typeof error === 'object' && typeof error.code === 'string' && Number.isInteger(error.httpStatus) && error.httpStatus >= 400) {
    return refusal(error.httpStatus, error.code, String(error.message))
  }
  return refusal(500, 'internal', 'Internal error.')
}

/** The client's certificate chain (DER, leaf first) when the socket is TLS and the client
 * presented one; otherwise undefined. */
function tlsChain(socket) {
  if (socket === null || socket === undefined || socket.encrypted !== true || typeof socket.getPeerCertificate !== 'function') return undefined
  const chain = peerCertificates(socket)
  return chain.length === 0 ? undefined : chain
}

/**
 * Decides `message` (a Node `IncomingMessage`) through the gate: the target as received,
 * the raw headers (duplicates and order kept), `body`, the socket's address, TLS chain and
 * scheme, and `extraScopes` on top of the route's. Returns the decision, or a promise of it
 * when the gate's checks may block (`gate.mayBlock`: then on the libuv thread pool). Never
 * throws and never rejects: a failure is a refusal (fail closed), its cause attached as
 * `decision[CAUSE]` for the server's logs.
 */
function decide(gate, message, target, body, extraScopes, now) {
  let request
  try {
    const socket = message.socket
    if (gate instanceof Gate) {
      // One native call builds the request and checks it (`checkMessage`, gate.js).
      let address, scheme, chain
      if (socket) {
        if (typeof socket.remoteAddress === 'string') address = socket.remoteAddress
        scheme = socket.encrypted === true ? 'https' : 'http'
        chain = tlsChain(socket)
      }
      const at = now === null ? undefined : typeof now === 'function' ? now() : now
      const scopes = extraScopes.length === 0 ? undefined : extraScopes
      const slow = gate.mayBlock === true
      const result = checkMessage(gate, slow, message.method, target, message.rawHeaders, body, address, scheme, chain, scopes, at)
      return slow ? result.then(undefined, failed) : result
    }
    // Any other object with check/checkAsync (a wrapper of the application's own).
    const options = { method: message.method, target, headers: message.rawHeaders }
    if (body !== undefined) options.body = body
    if (socket) {
      if (typeof socket.remoteAddress === 'string') options.peerAddress = socket.remoteAddress
      options.scheme = socket.encrypted === true ? 'https' : 'http'
      const chain = tlsChain(socket)
      if (chain !== undefined) options.peerCertificates = chain
    }
    if (now !== null) options.now = typeof now === 'function' ? now() : now
    request = new Request(options)
    if (gate.mayBlock === true) {
      const pending = extraScopes.length === 0 ? gate.checkAsync(request) : gate.checkAsync(request, extraScopes)
      return pending.then(undefined, failed)
    }
    return extraScopes.length === 0 ? gate.check(request) : gate.check(request, extraScopes)
  } catch (error) {
    return failed(error)
  }
}

const CAUSE = Symbol('portcullis.cause')

function failed(error) {
  const decision = refusalOf(error)
  Object.defineProperty(decision, CAUSE, { value: error })
  return decision
}

/** A denial's headers for APIs that set each name once (`setHeader`, Fastify's
 * `reply.header`): `[name, value]` pairs with a repeated name (several `WWW-Authenticate`)
 * merged into `[name, [value, ...]]`, which Node writes as one field per value, in order. */
function headerFields(headers) {
  const fields = new Map()
  for (const [name, value] of headers) {
    const key = name.toLowerCase()
    const field = fields.get(key)
    if (field === undefined) fields.set(key, [name, value])
    else if (Array.isArray(field[1])) field[1].push(value)
    else field[1] = [field[1], value]
  }
  return [...fields.values()]
}

/** `base` then `extra`, without repeats (the adapter's scopes, then a route's). */
function mergeScopes(base, extra) {
  if (extra.length === 0) return base
  if (base.length === 0) return extra
  return Object.freeze([...new Set([...base, ...extra])])
}

module.exports = {
  DEFAULT_MAX_BODY_BYTES,
  PROBLEM_TYPE,
  CAUSE,
  EMPTY,
  BodyRefused,
  adapterOptions,
  scopeList,
  checkGate,
  announcesBody,
  readBody,
  refusal,
  refusalOf,
  decide,
  mergeScopes,
  headerFields,
}
