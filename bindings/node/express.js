'use strict'
// `portcullis/express`: the gate as Express middleware. `authenticate(gate, options)` turns the
// Express request into a `Request` (adapter.js), asks the gate, puts the decision on `req.auth`
// and the body bytes it saw on `req.rawBody`, and either continues or hands an `AuthDenied`
// to `next(err)`; `denialHandler()` writes that denial exactly as the gate asked. Conversion
// only: the gate decides.

const {
  CAUSE,
  adapterOptions,
  checkGate,
  announcesBody,
  readBody,
  refusal,
  refusalOf,
  decide,
  headerFields,
} = require('./adapter.js')

const OPTIONS = ['required', 'scopes', 'maxBodyBytes', 'now']

/** A request the gate (or the adapter, failing closed) refused: what to answer with. */
class AuthDenied extends Error {
  constructor(decision) {
    const cause = decision[CAUSE]
    super(decision.message ?? 'Access denied.', cause === undefined ? undefined : { cause })
    this.name = 'AuthDenied'
    /** The HTTP status (401, 403, 429, 413, ...). */
    this.status = decision.status
    /** The same, under the name Express's default handler also reads. */
    this.statusCode = decision.status
    /** Every response header the gate asks for, `[name, value]`, in order (names may repeat). */
    this.headers = decision.headers
    /** The refusal's code (`credentials_missing`, `scope_insufficient`, ...). */
    this.code = decision.code
    /** The RFC 9457 problem body (JSON text). */
    this.problem = decision.problem
    /** The whole `GateDecision`. */
    this.decision = decision
    // The public message is safe to show (http-errors' convention, read by some handlers).
    this.expose = true
  }
}

/** Where the body bytes come from: a Buffer a body parser kept (`express.raw()`, or a
 * `verify` callback that set `req.rawBody`), none, or the stream (`undefined` is returned,
 * the caller reads). Throws a refusal when a parser consumed the body without keeping it:
 * the gate would otherwise judge an empty body. */
const READ = Symbol('read')
function bodySource(req, limit) {
  const kept = Buffer.isBuffer(req.rawBody) ? req.rawBody : Buffer.isBuffer(req.body) ? req.body : undefined
  if (kept !== undefined) {
    if (kept.length > limit) return refusal(413, 'input_too_large', 'Request too large.')
    return kept
  }
  if (!announcesBody(req.headers)) return undefined
  if (req._body === true || req.readableEnded) {
    // A configuration mistake of the application, not of the client; see docs/adapters/node.md.
    const decision = refusal(500, 'internal', 'Internal error.')
    Object.defineProperty(decision, CAUSE, {
      value: new Error('portcullis/express: a body parser consumed the request body before authenticate() without keeping it; use express.raw() or a parser with `verify: keepRawBody`'),
    })
    return decision
  }
  return READ
}

/**
 * Express middleware that asks `gate` about each request. Sets `req.auth` (the decision) and
 * `req.rawBody` (the body bytes the gate saw, when the request had a body). A denial goes to
 * `next(new AuthDenied(decision))`, unless `required` is false: then the request continues
 * with the denied decision in `req.auth`. The adapter's own refusals (body over
 * `maxBodyBytes`, unreadable body, gate failure) always go to `next`.
 */
function authenticate(gate, options) {
  checkGate(gate, 'authenticate')
  const { required, scopes, maxBodyBytes, now } = adapterOptions(options, OPTIONS, 'authenticate')

  return function portcullisAuthenticate(req, res, next) {
    const settle = (decision, adapterRefusal) => {
      req.auth = decision
      if (decision.allowed || (!required && !adapterRefusal)) next()
      else next(new AuthDenied(decision))
    }
    const check = (body) => {
      const decision = decide(gate, req, req.originalUrl ?? req.url, body, scopes, now)
      if (typeof decision.then === 'function') decision.then((d) => settle(d, d[CAUSE] !== undefined))
      else settle(decision, decision[CAUSE] !== undefined)
    }
    const source = bodySource(req, maxBodyBytes)
    if (source === READ) {
      readBody(req, maxBodyBytes).then(
        (body) => {
          req.rawBody = body
          check(body)
        },
        (error) => settle(refusalOf(error), true),
      )
    } else if (source !== undefined && !Buffer.isBuffer(source)) {
      settle(source, true)
    } else {
      if (source !== undefined) req.rawBody = source
      check(source)
    }
  }
}

/**
 * Express error middleware (four arguments) that answers an `AuthDenied` with exactly the
 * gate's status, headers (each `WWW-Authenticate` its own field) and problem body; anything
 * else goes on to the next error handler.
 */
function denialHandler() {
  return function portcullisDenialHandler(err, req, res, next) {
    if (!(err instanceof AuthDenied) || res.headersSent) return next(err)
    res.statusCode = err.status
    for (const [name, value] of headerFields(err.headers)) res.setHeader(name, value)
    res.end(err.problem ?? '')
  }
}

/** For a body parser placed before `authenticate`: `express.json({ verify: keepRawBody })`
 * keeps the exact bytes on `req.rawBody`, which the gate then checks (signatures, digests). */
function keepRawBody(req, _res, buf) {
  req.rawBody = buf
}

module.exports = { authenticate, denialHandler, keepRawBody, AuthDenied }
