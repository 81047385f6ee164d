'use strict'
// `portcullis/fastify`: the gate as a Fastify plugin. Registered with `{ gate, ... }`, it
// decorates `request.auth` (the decision) and `request.rawBody` (the body bytes the gate saw),
// and checks every request of its scope: a denial is answered with the gate's status, headers
// and problem body. Conversion only: the gate decides (adapter.js builds the `Request`).
//
// Where the body comes from: a `preParsing` hook reads the raw bytes (bounded by
// `maxBodyBytes`) before any content-type parser runs, keeps them on `request.rawBody`, and
// hands Fastify a new stream of the same bytes, so every parser (JSON, the application's own)
// works unchanged. Why not a content-type parser that keeps the Buffer: it would replace the
// application's parsers for every content type, and the check would run after the body was
// parsed; in `preParsing` a refused request is never parsed at all, and the bytes checked are
// exactly the bytes received. Requests without a body are checked in `onRequest`.
//
// The plugin follows fastify-plugin's conventions by hand (no runtime dependency): it skips
// encapsulation, so its decorators and hooks apply to the scope it is registered in.

const { Readable } = require('node:stream')
const {
  CAUSE,
  adapterOptions,
  checkGate,
  announcesBody,
  readBody,
  refusalOf,
  decide,
  scopeList,
  mergeScopes,
  headerFields,
} = require('./adapter.js')

const OPTIONS = ['gate', 'required', 'scopes', 'maxBodyBytes', 'now', 'hook']
/** Where requests are checked: `onRequest` (requests with a body in `preParsing`, once read),
 * or one later hook for every request (other hooks, CORS for one, run first; the body is
 * still read and checked before it is parsed only in the first two). */
const HOOKS = ['onRequest', 'preParsing', 'preValidation', 'preHandler']
const ROUTE_OPTIONS = ['scopes', 'required']

/** A route's `config.portcullis`, checked: `false` (not checked), or `{ scopes, required }`. */
function routeSettings(value, base, where) {
  if (value === false) return null
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${where}: config.portcullis must be false or an object`)
  }
  for (const name of Object.keys(value)) {
    if (!ROUTE_OPTIONS.includes(name)) throw new TypeError(`${where}: unknown config.portcullis option \`${name}\` (expected one of: ${ROUTE_OPTIONS.join(', ')})`)
  }
  const required = value.required ?? base.required
  if (typeof required !== 'boolean') throw new TypeError(`${where}: config.portcullis.required must be a boolean`)
  return { required, scopes: mergeScopes(base.scopes, scopeList(value.scopes, `${where}: config.portcullis.scopes`)) }
}

function portcullis(fastify, options, done) {
  try {
    setUp(fastify, options)
  } catch (error) {
    return done(error)
  }
  done()
}

function setUp(fastify, options) {
  const opts = options ?? {}
  for (const name of Object.keys(opts)) {
    if (!OPTIONS.includes(name)) throw new TypeError(`portcullis: unknown option \`${name}\` (expected one of: ${OPTIONS.join(', ')})`)
  }
  const { gate, hook = 'onRequest', ...rest } = opts
  checkGate(gate, 'portcullis')
  if (!HOOKS.includes(hook)) throw new TypeError(`portcullis: option \`hook\` must be one of: ${HOOKS.join(', ')}`)
  const base = adapterOptions(rest, OPTIONS, 'portcullis')
  const { maxBodyBytes, now } = base

  // Per route, from `config.portcullis`: checked when the route is added, looked up by the
  // (route-owned) settings object.
  const perRoute = new WeakMap()
  fastify.addHook('onRoute', (route) => {
    const value = route.config === undefined ? undefined : route.config.portcullis
    if (value !== undefined && value !== false) perRoute.set(value, routeSettings(value, base, `${route.method} ${route.url}`))
  })
  const settingsOf = (request) => {
    const config = request.routeOptions.config
    const value = config === undefined ? undefined : config.portcullis
    if (value === undefined) return base
    if (value === false) return null
    let settings = perRoute.get(value)
    if (settings === undefined) {
      settings = routeSettings(value, base, request.routeOptions.url)
      perRoute.set(value, settings)
    }
    return settings
  }

  fastify.decorateRequest('auth', null)
  fastify.decorateRequest('rawBody', null)

  const deny = (request, reply, decision) => {
    const cause = decision[CAUSE]
    if (cause !== undefined) request.log.error({ err: cause, status: decision.status }, 'portcullis: request refused, the check failed')
    reply.code(decision.status)
    for (const [name, value] of headerFields(decision.headers)) reply.header(name, value)
    // A Buffer: Fastify would add a charset to the gate's Content-Type for a string.
    reply.send(Buffer.from(decision.problem ?? '', 'utf8'))
  }

  /** Checks the request (its body in `request.rawBody`, when it had one); calls `next()` to go
   * on, or replies with the denial. */
  const check = (request, reply, settings, next) => {
    const settle = (decision) => {
      request.auth = decision
      if (decision.allowed || (!settings.required && decision[CAUSE] === undefined)) next()
      else deny(request, reply, decision)
    }
    const body = request.rawBody === null ? undefined : request.rawBody
    const decision = decide(gate, request.raw, request.originalUrl ?? request.raw.url, body, settings.scopes, now)
    if (typeof decision.then === 'function') decision.then(settle)
    else settle(decision)
  }

  /** Reads the body to `request.rawBody`; `next(stream)` with a new stream of the same bytes
   * for Fastify's parsers. A body over the limit or unreadable is refused here. */
  const readThen = (request, reply, payload, next) => {
    readBody(payload, maxBodyBytes).then(
      (body) => {
        request.rawBody = body
        const replay = Readable.from(body.length === 0 ? [] : [body])
        // Fastify compares this with Content-Length (the bytes as received).
        replay.receivedEncodedLength = body.length
        next(replay)
      },
      (error) => deny(request, reply, refusalOf(error)),
    )
  }

  const early = hook === 'onRequest' || hook === 'preParsing'

  if (hook === 'onRequest') {
    fastify.addHook('onRequest', function portcullisOnRequest(request, reply, hookDone) {
      if (announcesBody(request.headers)) return hookDone()
      const settings = settingsOf(request)
      if (settings === null) return hookDone()
      check(request, reply, settings, () => hookDone())
    })
  }

  fastify.addHook('preParsing', function portcullisPreParsing(request, reply, payload, hookDone) {
    const body = announcesBody(request.headers)
    // Without a body there is nothing to read, and nothing to check but in `preParsing` mode.
    if (!body && hook !== 'preParsing') return hookDone(null, payload)
    const settings = settingsOf(request)
    if (settings === null) return hookDone(null, payload)
    if (!body) return check(request, reply, settings, () => hookDone(null, payload))
    readThen(request, reply, payload, (replay) => {
      if (early) check(request, reply, settings, () => hookDone(null, replay))
      else hookDone(null, replay)
    })
  })

  if (!early) {
    fastify.addHook(hook, function portcullisCheck(request, reply, hookDone) {
      const settings = settingsOf(request)
      if (settings === null) return hookDone()
      check(request, reply, settings, () => hookDone())
    })
  }
}

// fastify-plugin's conventions, set by hand: no encapsulation, a name for errors and logs.
portcullis[Symbol.for('skip-override')] = true
portcullis[Symbol.for('fastify.display-name')] = 'portcullis'
portcullis[Symbol.for('plugin-meta')] = { name: 'portcullis', fastify: '>=4.0.0' }

module.exports = portcullis
module.exports.default = portcullis
module.exports.portcullis = portcullis
