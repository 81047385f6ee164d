'use strict'
// The signature surface beyond the vectors: webhooks (with interop against the
// `standardwebhooks` npm package, GitHub's documented example and Stripe-style signatures made
// with node:crypto), PCS1 HMAC request signing, Content-Digest, RFC 9421 (Ed25519 interop with
// node:crypto both ways) and the Response model.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const util = require('node:util')

const { Webhook, WebhookVerificationError } = require('standardwebhooks')

const { portcullis, keyPair, throwsUnknownOption } = require('../test-support/helpers')
const {
  Request,
  Response,
  WebhookVerifier,
  WebhookSigner,
  HmacVerifier,
  HmacSigningKey,
  HttpSigKeyring,
  HttpSigVerifier,
  HttpSigSigner,
  signRequest,
  hmacCanonicalRequest,
  mac,
  verifyMac,
  contentDigest,
  verifyContentDigest,
  httpsigSignatureBase,
} = portcullis

const NOW = 1767225600
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

/** Asserts `fn` throws a portcullis error with `code`; returns the error. */
function throwsCode(fn, code) {
  let caught
  assert.throws(fn, (err) => {
    caught = err
    assert.ok(err instanceof Error, 'an Error')
    assert.equal(err.code, code, `code (detail: ${err.detail || err.message})`)
    assert.equal(typeof err.number, 'number')
    return true
  })
  return caught
}

/** Asserts `fn` throws an argument-conversion error (no portcullis number, not a crash). */
function throwsType(fn) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error, 'an Error')
    assert.equal(err.number, undefined, `no portcullis number on a type error (${err.code}: ${err.message})`)
    return true
  })
}

/** Every text an error exposes, including what a logger would print. */
function errorText(err) {
  return [err.message, err.detail, err.challenge, err.stack, util.inspect(err), JSON.stringify(err)].join('\n')
}

function post(target, headers, body, now = NOW) {
  return new Request({ method: 'POST', target, headers, body: Buffer.from(body), now })
}

test.describe('webhooks', () => {
  const payload = '{"type":"invoice.paid","id":"in_1"}'

  test('a payload signed by the standardwebhooks package verifies in portcullis', () => {
    const signature = new Webhook(WHSEC).sign('msg_interop_1', new Date(NOW * 1000), payload)
    const headers = [
      ['webhook-id', 'msg_interop_1'],
      ['webhook-timestamp', String(NOW)],
      ['webhook-signature', signature],
    ]
    const verifier = new WebhookVerifier({ secrets: [WHSEC] })
    const principal = verifier.verify(post('/webhooks', headers, payload))
    assert.equal(principal.subject, 'standard')
    assert.equal(principal.method, 'hmac')
    assert.equal(principal.credentialId, 'secret-0')
    assert.deepEqual(principal.claims, {
      scheme: 'standard',
      signature_version: 'v1',
      message_id: 'msg_interop_1',
      timestamp: NOW,
    })
    throwsCode(() => verifier.verify(post('/webhooks', headers, payload)), 'signature_replayed')
    throwsCode(() => verifier.verify(post('/webhooks', headers, payload + ' ')), 'signature_mismatch')
  })

  test("what portcullis's WebhookSigner signs verifies with the standardwebhooks package", () => {
    // The package reads the wall clock: sign with the current time.
    const now = Math.floor(Date.now() / 1000)
    const signer = new WebhookSigner({ scheme: 'standard', secret: WHSEC })
    const pairs = signer.sign(Buffer.from(payload), { timestamp: now, messageId: 'msg_interop_2' })
    assert.deepEqual(
      pairs.map(([name]) => name),
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
    )
    const headers = Object.fromEntries(pairs)
    assert.deepEqual(new Webhook(WHSEC).verify(payload, headers), JSON.parse(payload))
    // A string body signs the same bytes.
    assert.deepEqual(signer.sign(payload, { timestamp: now, messageId: 'msg_interop_2' }), pairs)
    assert.throws(() => new Webhook(WHSEC).verify(payload + ' ', headers), WebhookVerificationError)
  })

  test("GitHub's documented example verifies", () => {
    // docs.github.com, "Validating webhook deliveries": secret, payload and signature.
    const verifier = new WebhookVerifier({ scheme: 'github', secrets: ["It's a Secret to Everybody"] })
    const headers = [
      ['X-Hub-Signature-256', 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'],
      ['X-GitHub-Delivery', '72d3162e-cc78-11e3-81ab-4c9367dc0958'],
    ]
    const principal = verifier.verify(post('/hooks', headers, 'Hello, World!'))
    assert.equal(principal.subject, 'github')
    assert.equal(principal.claims.signature_version, 'sha256')
    assert.equal(principal.claims.message_id, '72d3162e-cc78-11e3-81ab-4c9367dc0958')
    throwsCode(() => verifier.verify(post('/hooks', headers, 'Hello, World!')), 'signature_replayed')
    throwsCode(() => verifier.verify(post('/hooks', headers.slice(0, 1), 'Hello, World!')), 'signature_missing')
  })

  test('a Stripe-style signature computed with node:crypto verifies', () => {
    const secret = 'whsec_stripe_test_0123456789abcdefghijkl'
    const body = '{"id":"evt_1","object":"event"}'
    const stripeHeader = (key, t = NOW) =>
      `t=${t},v1=${crypto.createHmac('sha256', key).update(`${t}.${body}`).digest('hex')}`
    const verifier = new WebhookVerifier({ scheme: 'stripe', secrets: ['whsec_other_secret_0123456789abcdefgh', secret] })
    const principal = verifier.verify(post('/stripe', [['Stripe-Signature', stripeHeader(secret)]], body))
    assert.equal(principal.subject, 'stripe')
    assert.equal(principal.credentialId, 'secret-1', 'the second (rotated) secret matched')
    throwsCode(
      () => verifier.verify(post('/stripe', [['Stripe-Signature', stripeHeader('wrong-secret')]], body)),
      'signature_mismatch',
    )
    throwsCode(
      () => verifier.verify(post('/stripe', [['Stripe-Signature', stripeHeader(secret, NOW - 301)]], body)),
      'signature_expired',
    )
    // And portcullis signs what node:crypto computes.
    const signed = new WebhookSigner({ scheme: 'stripe', secret }).sign(body, { timestamp: NOW })
    assert.deepEqual(signed, [['Stripe-Signature', stripeHeader(secret)]])
  })

  test('the raw body is required; a Content-Length that disagrees is refused', () => {
    const signer = new WebhookSigner({ scheme: 'standard', secret: WHSEC })
    const headers = signer.sign(payload, { timestamp: NOW, messageId: 'msg_body' })
    const verifier = new WebhookVerifier({ secrets: [WHSEC] })
    throwsCode(
      () => verifier.verify(new Request({ method: 'POST', target: '/webhooks', headers, now: NOW })),
      'signature_body_missing',
    )
    throwsCode(
      () => verifier.verify(post('/webhooks', [...headers, ['Content-Length', '3']], payload)),
      'signature_digest_mismatch',
    )
  })

  test('fromJson, options and argument checking', () => {
    const verifier = WebhookVerifier.fromJson(
      JSON.stringify({ scheme: 'standard', secrets: [WHSEC], tolerance_seconds: 60, sender: 'billing' }),
    )
    const headers = new WebhookSigner({ scheme: 'standard', secret: WHSEC }).sign(payload, {
      timestamp: NOW,
      messageId: 'msg_json',
    })
    assert.equal(verifier.verify(post('/webhooks', headers, payload)).subject, 'billing')
    throwsCode(() => WebhookVerifier.fromJson('{"secrets": []}'), 'config_invalid')
    throwsCode(() => WebhookVerifier.fromJson('{"scheme": "paypal", "secrets": ["x"]}'), 'json_invalid')
    throwsCode(() => new WebhookVerifier({ secrets: [WHSEC], toleranceSeconds: 0 }), 'config_invalid')
    throwsUnknownOption(() => new WebhookVerifier({ secrets: [WHSEC], tolerance: 60 }), 'tolerance')
    throwsType(() => new WebhookVerifier('secrets'))
    throwsCode(() => new WebhookSigner({ scheme: 'paypal', secret: WHSEC }), 'invalid_argument')
    throwsCode(() => new WebhookSigner({ scheme: 'standard', secret: Buffer.from([0xff, 0xfe]) }), 'invalid_argument')
    throwsCode(() => new WebhookSigner({ scheme: 'stripe', secret: 'short' }), 'signature_secret_invalid')
    const signer = new WebhookSigner({ scheme: 'standard', secret: WHSEC })
    throwsCode(() => signer.sign(payload, { timestamp: NOW }), 'invalid_argument')
    throwsCode(() => signer.sign(payload, { timestamp: 1.5, messageId: 'm' }), 'invalid_argument')
    throwsCode(() => signer.sign(payload, { timestamp: -1, messageId: 'm' }), 'invalid_argument')
    throwsType(() => signer.sign(42, { timestamp: NOW, messageId: 'm' }))
  })

  test('no secret in errors or inspection', () => {
    const secretBody = WHSEC.slice('whsec_'.length)
    const err = throwsCode(() => new WebhookSigner({ scheme: 'slack', secret: 'tiny-slack-secret' }), 'signature_secret_invalid')
    assert.ok(!errorText(err).includes('tiny-slack-secret'))
    const signer = new WebhookSigner({ scheme: 'standard', secret: WHSEC })
    const verifier = new WebhookVerifier({ secrets: [WHSEC] })
    for (const object of [signer, verifier]) {
      const shown = util.inspect(object, { showHidden: true, depth: 5 }) + JSON.stringify(object)
      assert.ok(!shown.includes(secretBody), 'secret not shown')
    }
  })
})

test.describe('PCS1 HMAC request signing', () => {
  const secret = Buffer.from('test-hmac-secret-0123456789abcdef', 'ascii')
  const verifierOptions = {
    realm: 'orders',
    keys: [{ keyId: 'svc-a', algorithm: 'hmac-sha256', secretsB64: [secret.toString('base64')], subject: 'billing', scopes: ['orders:write'] }],
  }
  const body = '{"sku":"X1","qty":2}'
  const base = [
    ['Host', 'api.example.com'],
    ['Content-Type', 'application/json'],
  ]
  const order = (extra = [], text = body, now = NOW) => post('/orders?b=2&a=1', [...base, ...extra], text, now)
  const key = new HmacSigningKey({ keyId: 'svc-a', secret })
  const nonce = 'dGVzdC1ub25jZS0wMDAwMDAx'

  test('round trip, then the replay is refused', () => {
    const signed = signRequest(order(), key, { headers: ['host', 'content-type'], now: NOW, nonce })
    assert.deepEqual(
      signed.map(([name]) => name),
      ['Authorization', 'Content-Digest'],
    )
    const verifier = new HmacVerifier(verifierOptions)
    assert.equal(verifier.size, 1)
    const principal = verifier.verify(order(signed))
    assert.equal(principal.subject, 'billing')
    assert.equal(principal.method, 'hmac')
    assert.equal(principal.credentialId, 'svc-a')
    assert.deepEqual(principal.scopes, ['orders:write'])
    assert.deepEqual(principal.claims.signed_headers, ['host', 'content-type', 'content-digest'])
    const replay = throwsCode(() => verifier.verify(order(signed)), 'signature_replayed')
    assert.match(replay.challenge, /^PCS1-HMAC-SHA256 realm="orders"/)
    throwsCode(() => verifier.verify(order(signed, '{"sku":"X1","qty":20}')), 'signature_digest_mismatch')
    throwsCode(() => verifier.verify(order(signed, body, NOW + 301)), 'signature_expired')
  })

  test('the signature is node:crypto HMAC-SHA256 over hmacCanonicalRequest', () => {
    const signed = signRequest(order(), key, { headers: ['host'], now: NOW, nonce })
    const authorization = signed[0][1]
    const request = order(signed)
    const canonical = hmacCanonicalRequest(request, {
      algorithm: 'hmac-sha256',
      keyid: 'svc-a',
      ts: NOW,
      nonce,
      headers: ['host', 'content-digest'],
    })
    assert.equal(canonical.split('\n')[0], 'PCS1-HMAC-SHA256')
    const expected = crypto.createHmac('sha256', secret).update(canonical).digest('base64')
    assert.ok(authorization.includes(`sig="${expected}"`), authorization)
  })

  test('random nonces, defaults, and refusals', () => {
    const a = signRequest(order(), key)
    const b = signRequest(order(), key)
    assert.notEqual(a[0][1], b[0][1], 'a fresh nonce each time')
    const verifier = HmacVerifier.fromJson(
      JSON.stringify({ keys: [{ key_id: 'svc-a', algorithm: 'hmac-sha256', secrets_b64: [secret.toString('base64')] }] }),
    )
    assert.equal(verifier.verify(order(a)).subject, 'svc-a')
    assert.equal(verifier.removeKey('svc-a'), true)
    assert.equal(verifier.size, 0)
    throwsCode(() => verifier.verify(order(b)), 'signature_key_unknown')
    throwsCode(() => signRequest(order(), key, { nonce: 'short' }), 'invalid_argument')
    throwsCode(() => signRequest(order(), key, { headers: ['x-absent'] }), 'signature_component_missing')
    throwsUnknownOption(() => signRequest(order(), key, { header: ['host'] }), 'header')
  })

  test('HmacSigningKey checks its arguments and never shows the secret', () => {
    assert.equal(key.keyId, 'svc-a')
    assert.equal(key.algorithm, 'hmac-sha256')
    assert.equal(new HmacSigningKey({ keyId: 'k', secret: Buffer.alloc(64, 7), algorithm: 'hmac-sha512' }).algorithm, 'hmac-sha512')
    const short = throwsCode(() => new HmacSigningKey({ keyId: 'k', secret: Buffer.from('too-short-secret') }), 'signature_secret_invalid')
    assert.ok(!errorText(short).includes('too-short-secret'))
    throwsCode(() => new HmacSigningKey({ keyId: 'k', secret, algorithm: 'hmac-sha1' }), 'invalid_argument')
    throwsCode(() => new HmacSigningKey({ keyId: 'bad key id', secret }), 'invalid_argument')
    throwsType(() => new HmacSigningKey({ keyId: 'k', secret: secret.toString('base64') }))
    const shown = util.inspect(key, { showHidden: true, depth: 5 }) + JSON.stringify(key)
    assert.ok(!shown.includes(secret.toString('ascii')) && !shown.includes(secret.toString('base64')))
  })

  test('mac and verifyMac agree with node:crypto', () => {
    for (const [alg, hash] of [
      ['hmac-sha256', 'sha256'],
      ['hmac-sha512', 'sha512'],
    ]) {
      const k = Buffer.from('key')
      const tag = mac(alg, k, Buffer.from('data'))
      assert.deepEqual(tag, crypto.createHmac(hash, k).update('data').digest())
      assert.deepEqual(mac(alg, k, 'data'), tag, 'a string is its UTF-8 bytes')
      assert.equal(verifyMac(alg, k, 'data', tag), true)
      assert.equal(verifyMac(alg, k, 'data', tag.subarray(0, 16)), false, 'truncated')
      assert.equal(verifyMac(alg, k, 'datA', tag), false)
    }
    throwsCode(() => mac('hmac-md5', Buffer.from('k'), 'd'), 'invalid_argument')
  })

  test('contentDigest and verifyContentDigest agree with node:crypto', () => {
    const sha256 = `sha-256=:${crypto.createHash('sha256').update(body).digest('base64')}:`
    const sha512 = `sha-512=:${crypto.createHash('sha512').update(body).digest('base64')}:`
    assert.equal(contentDigest(Buffer.from(body)), sha256)
    assert.equal(contentDigest(body, 'sha-512'), sha512)
    assert.equal(verifyContentDigest(sha256, Buffer.from(body)), 'sha-256')
    assert.equal(verifyContentDigest(`${sha256}, ${sha512}`, body), 'sha-512')
    throwsCode(() => verifyContentDigest(sha256, body + ' '), 'signature_digest_mismatch')
    throwsCode(() => verifyContentDigest(sha256, null), 'signature_body_missing')
    throwsCode(() => verifyContentDigest(sha256), 'signature_body_missing')
    throwsCode(() => verifyContentDigest('md5=:AAAA:', body), 'signature_algorithm_unsupported')
    throwsCode(() => verifyContentDigest('sha-256=abc', body), 'signature_malformed')
    throwsCode(() => contentDigest(body, 'md5'), 'invalid_argument')
  })
})

test.describe('RFC 9421 HTTP Message Signatures', () => {
  const spec = { label: 'sig1', components: ['@method', '@target-uri', '@authority'], created: NOW }
  const get = (method = 'GET', extra = []) =>
    new Request({ method, target: '/orders?id=7', scheme: 'https', headers: [['Host', 'api.example.com'], ...extra], now: NOW })
  const config = { requireContentDigest: false }

  test('Ed25519: portcullis signs, node:crypto verifies the signature over signatureBase', () => {
    const { privateKey, publicKey } = keyPair('ed25519')
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' })
    const signer = HttpSigSigner.fromPem('client-1', 'ed25519', pem)
    assert.equal(signer.keyid, 'client-1')
    assert.equal(signer.algorithm, 'ed25519')
    const signed = signer.signRequest(get(), spec)
    assert.equal(signed.label, 'sig1')
    assert.equal(signed.signatureInput, `sig1=("@method" "@target-uri" "@authority");created=${NOW};keyid="client-1"`)
    assert.equal(
      signed.signatureBase,
      [
        '"@method": GET',
        '"@target-uri": https://api.example.com/orders?id=7',
        '"@authority": api.example.com',
        `"@signature-params": ("@method" "@target-uri" "@authority");created=${NOW};keyid="client-1"`,
      ].join('\n'),
    )
    assert.equal(httpsigSignatureBase(get(), signed.signatureInput.slice('sig1='.length)), signed.signatureBase)
    const bytes = Buffer.from(/^sig1=:([A-Za-z0-9+/=]+):$/.exec(signed.signature)[1], 'base64')
    assert.equal(crypto.verify(null, Buffer.from(signed.signatureBase), publicKey, bytes), true)
    assert.equal(crypto.verify(null, Buffer.from(signed.signatureBase + ' '), publicKey, bytes), false)
    // And portcullis verifies its own signature with the public key.
    const keyring = new HttpSigKeyring()
    keyring.addPublicPem('client-1', 'ed25519', publicKey.export({ type: 'spki', format: 'pem' }))
    const principal = new HttpSigVerifier(keyring, config).verifyRequest(get('GET', signed.headers))
    assert.equal(principal.subject, 'client-1')
    assert.equal(principal.claims.alg, 'ed25519')
  })

  test('Ed25519: node:crypto signs the signature base, portcullis verifies', () => {
    const { privateKey, publicKey } = keyPair('ed25519')
    const params = `("@method" "@target-uri" "@authority");created=${NOW};keyid="node-key";nonce="n-1"`
    const base = httpsigSignatureBase(get(), params)
    const signature = crypto.sign(null, Buffer.from(base), privateKey).toString('base64')
    const headers = [
      ['Signature-Input', `js=${params}`],
      ['Signature', `js=:${signature}:`],
    ]
    const keyring = new HttpSigKeyring()
    keyring.addPublicPem('node-key', 'ed25519', Buffer.from(publicKey.export({ type: 'spki', format: 'pem' })))
    const verifier = new HttpSigVerifier(keyring, config)
    const principal = verifier.verifyRequest(get('GET', headers))
    assert.equal(principal.subject, 'node-key')
    assert.equal(principal.method, 'hmac')
    assert.deepEqual(principal.claims, {
      label: 'js',
      alg: 'ed25519',
      created: NOW,
      expires: null,
      nonce: 'n-1',
      tag: null,
      covered: ['@method', '@target-uri', '@authority'],
    })
    throwsCode(() => verifier.verifyRequest(get('GET', headers)), 'signature_replayed')
    throwsCode(() => verifier.verifyRequest(get('DELETE', headers)), 'signature_mismatch')
  })

  test('a keyring is shared by its verifiers and stays live', () => {
    const secret = Buffer.alloc(32, 0x61)
    const signed = HttpSigSigner.hmac('k1', secret).signRequest(get(), spec)
    const keyring = new HttpSigKeyring()
    throwsCode(() => new HttpSigVerifier(keyring, { leeway: 999 }), 'config_invalid')
    throwsCode(() => HttpSigVerifier.fromJson('{"leway": 5}', keyring), 'json_invalid')
    throwsUnknownOption(() => new HttpSigVerifier(keyring, { leway: 5 }), 'leway')
    const early = new HttpSigVerifier(keyring, config)
    keyring.addHmacSecret('k1', secret)
    const late = HttpSigVerifier.fromJson(JSON.stringify({ require_content_digest: false }), keyring)
    assert.equal(keyring.size, 1)
    assert.equal(early.verifyRequest(get('GET', signed.headers)).subject, 'k1', 'a key added later reaches it')
    assert.equal(late.verifyRequest(get('GET', signed.headers)).subject, 'k1', 'its own replay store')
    assert.equal(keyring.remove('k1'), true)
    assert.equal(keyring.remove('k1'), false)
    assert.equal(keyring.size, 0)
    for (const verifier of [early, late]) {
      throwsCode(() => verifier.verifyRequest(get('PUT', signed.headers)), 'signature_key_unknown')
    }
    keyring.addHmacSecret('k1', Buffer.alloc(32, 0x7a))
    throwsCode(() => late.verifyRequest(get('GET', signed.headers)), 'signature_mismatch')
    throwsCode(() => keyring.addHmacSecret('k2', Buffer.alloc(8)), 'signature_secret_invalid')
    throwsCode(() => keyring.addHmacSecret('', secret), 'invalid_argument')
    throwsCode(() => keyring.addPublicPem('k3', 'ed448', 'pem'), 'invalid_argument')
    throwsCode(() => keyring.addPublicPem('k3', 'ed25519', 'not a pem'), 'signature_secret_invalid')
    throwsType(() => keyring.addHmacSecret('k2', 'a string secret'))
    assert.equal(keyring.size, 1, 'refused keys were not added')
  })

  test('responses: sign with the related request, verify', () => {
    const secret = Buffer.alloc(32, 0x62)
    const request = get()
    const response = new Response({
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from('{"ok":true}'),
      now: NOW,
    })
    assert.equal(response.status, 200)
    assert.equal(response.now, NOW)
    assert.deepEqual(response.headerNames, ['content-type'])
    const signed = HttpSigSigner.hmac('srv', secret).signResponse(response, request, {
      components: ['@status', 'content-type', '"@method";req'],
      created: NOW,
    })
    assert.match(signed.signatureBase, /^"@status": 200\n"content-type": application\/json\n"@method";req: GET\n/)
    const keyring = new HttpSigKeyring()
    keyring.addHmacSecret('srv', secret)
    const verifier = new HttpSigVerifier(keyring, config)
    const signedResponse = new Response({ status: 200, headers: [['Content-Type', 'application/json'], ...signed.headers], now: NOW })
    assert.equal(verifier.verifyResponse(signedResponse, request).subject, 'srv')
    const otherStatus = new Response({ status: 201, headers: [['Content-Type', 'application/json'], ...signed.headers], now: NOW })
    throwsCode(() => verifier.verifyResponse(otherStatus, request), 'signature_mismatch')
    assert.equal(
      httpsigSignatureBase(response, signed.signatureInput.slice('sig1='.length), { relatedRequest: request }),
      signed.signatureBase,
    )
    throwsCode(() => verifier.verifyResponse(signedResponse), 'signature_component_missing')
  })

  test('argument checking', () => {
    for (const status of [99, 1000, 200.5, -1, 70000]) {
      throwsCode(() => new Response({ status }), 'request_invalid')
    }
    throwsCode(() => new Request({ method: 'GET', target: '/', scheme: '1http' }), 'request_invalid')
    assert.equal(new Request({ method: 'GET', target: '/', scheme: 'HTTPS' }).scheme, 'https')
    assert.equal(new Request({ method: 'GET', target: '/' }).scheme, null)
    throwsCode(() => HttpSigSigner.hmac('k', Buffer.alloc(31)), 'signature_secret_invalid')
    throwsCode(() => HttpSigSigner.fromPem('k', 'hmac-sha256', 'pem'), 'invalid_argument')
    throwsCode(() => HttpSigSigner.hmac('k', Buffer.alloc(32)).signRequest(get(), { label: 'Bad Label' }), 'invalid_argument')
    throwsUnknownOption(() => HttpSigSigner.hmac('k', Buffer.alloc(32)).signRequest(get(), { lable: 'x' }), 'lable')
    throwsCode(() => httpsigSignatureBase(get(), 'not params'), 'signature_malformed')
    throwsCode(
      () => httpsigSignatureBase(get(), '("x";sf)', { structuredFields: { x: 'tuple' } }),
      'invalid_argument',
    )
    throwsType(() => httpsigSignatureBase({ method: 'GET' }, '()'))
  })
})
