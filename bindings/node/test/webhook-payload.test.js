'use strict'
// WebhookVerifier.verifyPayload(body, headers, options) and headerNames(): every header shape
// a Node framework hands a handler, the refusals (repeats, CR/LF, wrong types), the body
// types, the clock, and the same decision and principal as verify(request). The vectors run
// through verifyPayload in signature-vectors.test.js.

const test = require('node:test')
const assert = require('node:assert/strict')

const { portcullis } = require('../test-support/helpers')
const { Request, WebhookVerifier, WebhookSigner } = portcullis

const NOW = 1767225600
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const BODY = '{"type":"invoice.paid","id":"évt_1"}'

/** A verifier without replay protection (each test verifies the same message many times). */
function verifier(options = {}) {
  return new WebhookVerifier({ secrets: [WHSEC], replayProtection: false, ...options })
}

/** The Standard Webhooks headers of `body` (lower-case names, as node:http gives them). */
function signed(body = BODY, timestamp = NOW, messageId = 'msg_p5jXN8AQM9LWM0D4loKWxJek') {
  const signer = new WebhookSigner({ scheme: 'standard', secret: WHSEC })
  const out = {}
  for (const [name, value] of signer.sign(Buffer.from(body, 'utf8'), { timestamp, messageId })) out[name.toLowerCase()] = value
  return out
}

/** Asserts `fn` throws a portcullis error with `code` (and the usual fields); returns it. */
function throwsCode(fn, code) {
  let caught
  assert.throws(fn, (err) => {
    caught = err
    return err instanceof Error && err.code === code
  })
  assert.equal(typeof caught.number, 'number')
  assert.equal(typeof caught.httpStatus, 'number')
  assert.equal(typeof caught.category, 'string')
  assert.ok('challenge' in caught)
  return caught
}

/** The object node:http would build for `headers`, with `extra` fields of the request. */
function nodeHeaders(headers, extra = {}) {
  return { host: 'api.example.com', 'user-agent': 'Svix-Webhooks/1.0', 'content-type': 'application/json', ...extra, ...headers }
}

const ok = (principal) => {
  assert.equal(principal.method, 'hmac')
  assert.equal(principal.claims.signature_version, 'v1')
  return principal
}

test('headerNames() lists the fields each scheme reads, content-length included', () => {
  const expected = {
    standard: ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-length'],
    stripe: ['stripe-signature', 'content-length'],
    github: ['x-hub-signature-256', 'x-hub-signature', 'x-github-delivery', 'content-length'],
    slack: ['x-slack-request-timestamp', 'x-slack-signature', 'content-length'],
  }
  for (const [scheme, names] of Object.entries(expected)) {
    const secret = scheme === 'standard' ? WHSEC : 'a-provider-secret-of-enough-length-0123'
    assert.deepEqual(new WebhookVerifier({ scheme, secrets: [secret] }).headerNames(), names, scheme)
  }
})

test('a plain object with lower-case keys (node:http, Express, Fastify)', () => {
  const v = verifier()
  const principal = ok(v.verifyPayload(Buffer.from(BODY), nodeHeaders(signed()), { now: NOW }))
  const request = new Request({ method: 'POST', target: '/hooks', headers: signed(), body: Buffer.from(BODY), now: NOW })
  const native = v.verify(request)
  assert.deepEqual(principal, native)
  assert.deepEqual(Object.keys(principal), Object.keys(native))
  assert.deepEqual(Object.keys(principal.claims), Object.keys(native.claims))
})

test('a plain object with mixed-case keys (AWS Lambda, hand-built)', () => {
  const h = signed()
  const headers = { 'Webhook-Id': h['webhook-id'], 'WEBHOOK-TIMESTAMP': h['webhook-timestamp'], 'webhook-Signature': h['webhook-signature'], 'Content-Length': String(Buffer.byteLength(BODY)) }
  ok(verifier().verifyPayload(BODY, headers, { now: NOW }))
})

test('string[] values: one value passes, two are a repeated field', () => {
  const h = signed()
  ok(verifier().verifyPayload(BODY, { ...h, 'webhook-id': [h['webhook-id']] }, { now: NOW }))
  ok(verifier().verifyPayload(BODY, { ...h, 'x-forwarded-for': ['a', 'b'] }, { now: NOW }))
  const twice = { ...h, 'webhook-id': [h['webhook-id'], h['webhook-id']] }
  throwsCode(() => verifier().verifyPayload(BODY, twice, { now: NOW }), 'credentials_ambiguous')
  // An empty array is no field.
  throwsCode(() => verifier().verifyPayload(BODY, { ...h, 'webhook-id': [] }, { now: NOW }), 'signature_missing')
})

test('a field under two spellings is passed twice: credentials_ambiguous', () => {
  const h = signed()
  throwsCode(() => verifier().verifyPayload(BODY, { ...h, 'Webhook-Signature': h['webhook-signature'] }, { now: NOW }), 'credentials_ambiguous')
  const pairs = [...Object.entries(h), ['WEBHOOK-ID', h['webhook-id']]]
  throwsCode(() => verifier().verifyPayload(BODY, pairs, { now: NOW }), 'credentials_ambiguous')
  const map = new Map([...Object.entries(h), ['Webhook-Timestamp', h['webhook-timestamp']]])
  throwsCode(() => verifier().verifyPayload(BODY, map, { now: NOW }), 'credentials_ambiguous')
})

test('a WHATWG Headers (fetch, undici, Next.js)', () => {
  const headers = new Headers(signed())
  headers.set('content-type', 'application/json')
  ok(verifier().verifyPayload(BODY, headers, { now: NOW }))
  // Headers joins a repeated field into one value, which the core then reads as one.
  const joined = new Headers(signed())
  joined.append('webhook-id', 'msg_other')
  throwsCode(() => verifier().verifyPayload(BODY, joined, { now: NOW }), 'signature_malformed')
  // Any object with get(name) is taken as Headers.
  const h = signed()
  ok(verifier().verifyPayload(BODY, { get: (name) => (name in h ? h[name] : null) }, { now: NOW }))
  throwsCode(() => verifier().verifyPayload(BODY, { get: () => 42 }, { now: NOW }), 'invalid_argument')
})

test('a Map, [name, value] pairs and a flat rawHeaders array', () => {
  const h = signed()
  ok(verifier().verifyPayload(BODY, new Map(Object.entries(h)), { now: NOW }))
  ok(verifier().verifyPayload(BODY, new Map(Object.entries(h).map(([n, v]) => [n.toUpperCase(), v])), { now: NOW }))
  ok(verifier().verifyPayload(BODY, Object.entries(h), { now: NOW }))
  ok(verifier().verifyPayload(BODY, Object.entries(h).flat(), { now: NOW }))
  // No header at all: the signature is missing.
  throwsCode(() => verifier().verifyPayload(BODY, [], { now: NOW }), 'signature_missing')
  throwsCode(() => verifier().verifyPayload(BODY, {}, { now: NOW }), 'signature_missing')
})

test('CR, LF or NUL in a field the scheme reads: request_invalid; in another field: not read', () => {
  const h = signed()
  for (const bad of ['\r', '\n', '\0']) {
    throwsCode(() => verifier().verifyPayload(BODY, { ...h, 'webhook-id': `${h['webhook-id']}${bad}x` }, { now: NOW }), 'request_invalid')
  }
  ok(verifier().verifyPayload(BODY, { ...h, 'x-note': 'a\r\nb' }, { now: NOW }))
  // Surrounding whitespace is trimmed, as in a Request.
  ok(verifier().verifyPayload(BODY, { ...h, 'webhook-id': ` ${h['webhook-id']}\t` }, { now: NOW }))
})

test('names compare ASCII case-insensitively only (KELVIN SIGN is not k)', () => {
  const h = signed()
  const headers = { 'webhoo\u212a-id': h['webhook-id'], 'webhook-timestamp': h['webhook-timestamp'], 'webhook-signature': h['webhook-signature'] }
  throwsCode(() => verifier().verifyPayload(BODY, headers, { now: NOW }), 'signature_missing')
})

test('content-length is read: a body that differs in length is refused', () => {
  const h = signed()
  ok(verifier().verifyPayload(BODY, { ...h, 'content-length': String(Buffer.byteLength(BODY)) }, { now: NOW }))
  throwsCode(() => verifier().verifyPayload(BODY, { ...h, 'content-length': '3' }, { now: NOW }), 'signature_digest_mismatch')
})

test('body: Buffer, Uint8Array, ArrayBuffer or a UTF-8 string', () => {
  const h = signed()
  const bytes = Buffer.from(BODY, 'utf8')
  ok(verifier().verifyPayload(bytes, h, { now: NOW }))
  ok(verifier().verifyPayload(new Uint8Array(bytes), h, { now: NOW }))
  const sub = new Uint8Array(bytes.length + 4)
  sub.set(bytes, 2)
  ok(verifier().verifyPayload(sub.subarray(2, 2 + bytes.length), h, { now: NOW }))
  ok(verifier().verifyPayload(new Uint8Array(bytes).buffer, h, { now: NOW }))
  ok(verifier().verifyPayload(BODY, h, { now: NOW }))
  throwsCode(() => verifier().verifyPayload(`${BODY} `, h, { now: NOW }), 'signature_mismatch')
})

test('wrong types: invalid_argument, as the native methods throw it', () => {
  const h = signed()
  const v = verifier()
  for (const body of [undefined, null, 42, {}, [1, 2], new Uint16Array(4)]) {
    throwsCode(() => v.verifyPayload(body, h, { now: NOW }), 'invalid_argument')
  }
  for (const headers of [undefined, null, 'webhook-id: x', 42, Buffer.from('x')]) {
    throwsCode(() => v.verifyPayload(BODY, headers, { now: NOW }), 'invalid_argument')
  }
  throwsCode(() => v.verifyPayload(BODY, { ...h, 'webhook-id': 42 }, { now: NOW }), 'invalid_argument')
  throwsCode(() => v.verifyPayload(BODY, { ...h, 'webhook-id': null }, { now: NOW }), 'invalid_argument')
  throwsCode(() => v.verifyPayload(BODY, { ...h, 'webhook-id': [h['webhook-id'], 1] }, { now: NOW }), 'invalid_argument')
  throwsCode(() => v.verifyPayload(BODY, { ...h, 'webhook-id': Buffer.from('x') }, { now: NOW }), 'invalid_argument')
  throwsCode(() => v.verifyPayload(BODY, [['webhook-id']], { now: NOW }), 'invalid_argument')
  throwsCode(() => v.verifyPayload(BODY, [[1, 'x']], { now: NOW }), 'invalid_argument')
  throwsCode(() => v.verifyPayload(BODY, [['webhook-id', 'x'], 'webhook-id'], { now: NOW }), 'invalid_argument')
  throwsCode(() => v.verifyPayload(BODY, ['webhook-id'], { now: NOW }), 'invalid_argument')
  throwsCode(() => v.verifyPayload(BODY, new Map([[1, 'x']]), { now: NOW }), 'invalid_argument')
  // A field the scheme does not read is not converted at all.
  ok(v.verifyPayload(BODY, { ...h, 'x-count': 3 }, { now: NOW }))
  for (const options of [null, 'now', 5]) throwsCode(() => v.verifyPayload(BODY, h, options), 'invalid_argument')
  for (const now of ['1767225600', 1.5, NaN, Infinity, 2 ** 60]) {
    throwsCode(() => v.verifyPayload(BODY, h, { now }), 'invalid_argument')
  }
  throwsCode(() => v.verifyPayload.call({}, BODY, h, { now: NOW }), 'invalid_argument')
})

test('errors are the very errors verify(request) throws', () => {
  const h = signed()
  const cases = [
    [{ ...h, 'webhook-signature': 'v1,AAAA' }, BODY],
    [{ ...h, 'webhook-timestamp': String(NOW - 3600) }, BODY],
    [{ 'webhook-id': h['webhook-id'] }, BODY],
    [h, `${BODY}!`],
  ]
  for (const [headers, body] of cases) {
    const a = throwsCode(() => verifier().verifyPayload(body, headers, { now: NOW }), expectedCode(headers, body))
    const b = throwsCode(() => verifier().verify(new Request({ method: 'POST', target: '/', headers, body: Buffer.from(body), now: NOW })), a.code)
    for (const field of ['code', 'number', 'message', 'detail', 'httpStatus', 'challenge', 'category']) {
      assert.deepEqual(a[field], b[field], field)
    }
    assert.ok(!String(a.detail).includes(WHSEC.slice(6)), 'no secret in the error')
  }
})

/** The code verify(request) gives (what verifyPayload must give too). */
function expectedCode(headers, body) {
  try {
    verifier().verify(new Request({ method: 'POST', target: '/', headers, body: Buffer.from(body), now: NOW }))
  } catch (e) {
    return e.code
  }
  return 'none'
}

test('options.now absent: the system clock decides', () => {
  const now = Math.floor(Date.now() / 1000)
  ok(verifier().verifyPayload(BODY, signed(BODY, now)))
  ok(verifier().verifyPayload(BODY, signed(BODY, now), {}))
  ok(verifier().verifyPayload(BODY, signed(BODY, now), { now: undefined }))
  throwsCode(() => verifier().verifyPayload(BODY, signed(BODY, now - 3600)), 'signature_expired')
  ok(verifier().verifyPayload(BODY, signed(BODY, now - 3600), { now: now - 3600 }))
})

test('replay protection is shared with verify(request)', () => {
  const v = new WebhookVerifier({ secrets: [WHSEC] })
  ok(v.verifyPayload(BODY, signed(), { now: NOW }))
  throwsCode(() => v.verifyPayload(BODY, signed(), { now: NOW }), 'signature_replayed')
  const request = new Request({ method: 'POST', target: '/', headers: signed(), body: Buffer.from(BODY), now: NOW })
  throwsCode(() => v.verify(request), 'signature_replayed')
})

test('Stripe, GitHub and Slack through verifyPayload', () => {
  const secret = 'whsec_stripe_test_secret_of_enough_length'
  const body = Buffer.from('{"id":"evt_1"}')
  for (const scheme of ['stripe', 'github', 'slack']) {
    const signer = new WebhookSigner({ scheme, secret })
    const headers = Object.fromEntries(signer.sign(body, { timestamp: NOW, messageId: 'delivery-1' }))
    const v = new WebhookVerifier({ scheme, secrets: [secret] })
    const principal = v.verifyPayload(body, headers, { now: NOW })
    assert.equal(principal.subject, scheme)
    assert.equal(principal.credentialId, 'secret-0')
    // Node's req.headers form (lower case) decides the same.
    const lower = Object.fromEntries(Object.entries(headers).map(([n, val]) => [n.toLowerCase(), val]))
    assert.deepEqual(new WebhookVerifier({ scheme, secrets: [secret] }).verifyPayload(body, lower, { now: NOW }), principal)
  }
})

test('a frozen verifier, a long header value, a non-ASCII value', () => {
  const v = Object.freeze(verifier())
  ok(v.verifyPayload(BODY, signed(), { now: NOW }))
  ok(v.verifyPayload(BODY, signed(), { now: NOW }))
  // A signature list longer than the binding's stack buffer: read whole.
  const h = signed()
  const padded = h['webhook-signature'] + ` v2,${'x'.repeat(100)}`.repeat(20)
  assert.ok(padded.length > 2048)
  ok(verifier().verifyPayload(BODY, { ...h, 'webhook-signature': padded }, { now: NOW }))
  // Values around the size of the binding's stack buffer, with 2-byte characters across its
  // end: never cut short (the real signature comes last).
  for (let pad = 0; pad < 4; pad++) {
    for (const [char, from, to] of [['é', 470, 520], ['€', 310, 345], ['😀', 230, 260]]) {
      for (let k = from; k < to; k++) {
        const long = `v2,${'x'.repeat(pad)}${char.repeat(k)} ${h['webhook-signature']}`
        ok(verifier().verifyPayload(BODY, { ...h, 'webhook-signature': long }, { now: NOW }))
      }
    }
  }
  // Non-ASCII in a read field: UTF-8, as a Request takes it; the core decides.
  const bad = { ...h, 'webhook-id': 'msg_é' }
  const code = expectedCode(bad, BODY)
  throwsCode(() => verifier().verifyPayload(BODY, bad, { now: NOW }), code)
})

test('verifyPayload is a method of the prototype, not enumerable', () => {
  assert.equal(typeof WebhookVerifier.prototype.verifyPayload, 'function')
  assert.ok(!Object.keys(WebhookVerifier.prototype).includes('verifyPayload'))
})
