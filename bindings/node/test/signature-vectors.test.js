'use strict'
// Runs EVERY case of tests/vectors/webhook.json, hmac.json and httpsig.json through the Node
// binding, one test per case id. An unknown `op` fails. Verifiers are built both ways (the
// camelCase options object and `fromJson`) and both must agree with the vector, refusals
// included: an unknown option name is refused by the core (`json_invalid`) on both paths.

const test = require('node:test')
const assert = require('node:assert/strict')

const {
  portcullis,
  loadVectors,
  camelize,
  bodyOf,
  buildRequest,
  buildResponse,
  outcome,
  checkPrincipal,
  checkFields,
  checkOutcome,
} = require('../test-support/helpers')
const {
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

/** Runs `run(how)` for each way of building, checking every outcome against the vector. */
function checkAll(c, ways, run, checkOk) {
  for (const how of ways) {
    const result = outcome(() => run(how))
    try {
      checkOutcome(result, c.expect, checkOk)
    } catch (e) {
      e.message = `[${how}] ${e.message}`
      throw e
    }
  }
}

/** Declares one test per case of `file`, dispatching on `ops[op]` = { ways, run, ok }
 * (`ways` a list, or a function of the case's input giving it). */
function runFile(file, ops) {
  test.describe(file, () => {
    const cases = loadVectors(file)
    test('has cases', () => assert.ok(cases.length > 0))
    const ids = new Set()
    for (const c of cases) {
      test(c.id, () => {
        assert.ok(!ids.has(c.id), `duplicate case id ${c.id}`)
        ids.add(c.id)
        const op = ops[c.input.op]
        assert.ok(op, `unknown op ${c.input.op}`)
        const ways = typeof op.ways === 'function' ? op.ways(c.input) : op.ways || ['single']
        checkAll(c, ways, (how) => op.run(c.input, c.now, how), op.ok)
      })
    }
  })
}

const BOTH = ['options', 'fromJson']

// ---- webhook.json ------------------------------------------------------------------------

/** A vector's header pairs as a `{ name: value }` object: a name that comes again (spelled
 * the same) gets an array of its values, as in node:http's `req.headers`. */
function headerObject(pairs) {
  const out = {}
  for (const [name, value] of pairs) {
    if (!Object.hasOwn(out, name)) out[name] = value
    else out[name] = [].concat(out[name], value)
  }
  return out
}

const PAYLOAD_WAYS = ['verifyPayload, headers object', 'verifyPayload, [name, value] pairs']

runFile('webhook.json', {
  verify: {
    // Every case also goes through verifyPayload(body, headers, { now }), on a fresh verifier,
    // with the headers as an object and as pairs; except the cases without a body, which
    // verifyPayload cannot express (its body is required: those stay verify(request) only).
    ways: (input) => (bodyOf(input.request) === undefined ? BOTH : [...BOTH, ...PAYLOAD_WAYS]),
    run(input, now, how) {
      const verifier =
        how === 'fromJson'
          ? WebhookVerifier.fromJson(JSON.stringify(input.config))
          : new WebhookVerifier(camelize(input.config))
      const times = input.times || 1
      if (PAYLOAD_WAYS.includes(how)) {
        const pairs = input.request.headers || []
        const headers = how === PAYLOAD_WAYS[0] ? headerObject(pairs) : pairs
        const body = bodyOf(input.request)
        for (let i = 1; i < times; i++) outcome(() => verifier.verifyPayload(body, headers, { now }))
        return verifier.verifyPayload(body, headers, { now })
      }
      const request = buildRequest(input.request, now)
      for (let i = 1; i < times; i++) verifier.verify(request)
      return verifier.verify(request)
    },
    ok: checkPrincipal,
  },
  sign: {
    // The secret as a string and as a Buffer of its text; the body as a Buffer.
    ways: ['string secret', 'Buffer secret'],
    run(input, now, how) {
      const secret = how === 'string secret' ? input.secret : Buffer.from(input.secret, 'utf8')
      const signer = new WebhookSigner({ scheme: input.scheme, secret })
      const options = { timestamp: input.timestamp }
      if (input.message_id !== null && input.message_id !== undefined) options.messageId = input.message_id
      return { headers: signer.sign(Buffer.from(input.body, 'utf8'), options) }
    },
    ok: checkFields,
  },
})

// ---- hmac.json ---------------------------------------------------------------------------

function hmacVerifier(config, how) {
  return how === 'options' ? new HmacVerifier(camelize(config)) : HmacVerifier.fromJson(JSON.stringify(config))
}

runFile('hmac.json', {
  hmac: {
    run(input) {
      const key = Buffer.from(input.key_hex, 'hex')
      const data = Buffer.from(input.data_hex, 'hex')
      const tag = mac(input.algorithm, key, data)
      assert.ok(Buffer.isBuffer(tag), 'mac returns a Buffer')
      const out = { mac_hex: tag.toString('hex') }
      if ('tag_hex' in input) {
        if (!verifyMac(input.algorithm, key, data, Buffer.from(input.tag_hex, 'hex'))) {
          // The vectors' convention for a tag that does not match.
          throw Object.assign(new Error('tag mismatch'), {
            code: 'signature_mismatch',
            number: 0,
            httpStatus: 401,
          })
        }
        out.valid = true
      }
      return out
    },
    ok: checkFields,
  },
  content_digest: {
    run: (input) => ({ value: contentDigest(bodyOf(input), input.algorithm) }),
    ok: checkFields,
  },
  content_digest_verify: {
    run: (input) => ({ algorithm: verifyContentDigest(input.header, bodyOf(input) ?? null) }),
    ok: checkFields,
  },
  canonical_request: {
    run: (input, now) => ({ canonical: hmacCanonicalRequest(buildRequest(input.request, now), input.params) }),
    ok: checkFields,
  },
  sign: {
    run(input, now) {
      const key = new HmacSigningKey({
        keyId: input.key.key_id,
        algorithm: input.key.algorithm,
        secret: Buffer.from(input.key.secret_b64, 'base64'),
      })
      const headers = signRequest(buildRequest(input.request, now), key, camelize(input.options))
      assert.equal(headers[0][0], 'Authorization', 'Authorization comes first')
      const digest = headers.find(([name]) => name === 'Content-Digest')
      assert.equal(headers.length, digest ? 2 : 1, 'only Authorization and Content-Digest')
      return { authorization: headers[0][1], content_digest: digest ? digest[1] : null }
    },
    ok: checkFields,
  },
  verify: {
    ways: BOTH,
    run: (input, now, how) => hmacVerifier(input.config, how).verify(buildRequest(input.request, now)),
    ok: checkPrincipal,
  },
  verify_sequence: {
    ways: BOTH,
    run(input, now, how) {
      const verifier = hmacVerifier(input.config, how)
      const results = input.steps.map((step) => {
        const at = step.now ?? now
        const result = outcome(() => verifier.verify(buildRequest(step.request, at)))
        if (!result.error) return 'ok'
        assert.equal(typeof result.error.code, 'string', `step failed without a code: ${result.error.message}`)
        return result.error.code
      })
      return { results }
    },
    ok: checkFields,
  },
})

// ---- httpsig.json ------------------------------------------------------------------------

/** The message of a case: [Request | Response, related Request | undefined]. */
function message(input, now) {
  if (input.request) return [buildRequest(input.request, now), undefined]
  const related = input.related_request ? buildRequest(input.related_request, now) : undefined
  return [buildResponse(input.response, now), related]
}

function signerFor(key) {
  if (key.alg === 'hmac-sha256') return HttpSigSigner.hmac(key.keyid, Buffer.from(key.secret_b64, 'base64'))
  return HttpSigSigner.fromPem(key.keyid, key.alg, key.pem)
}

runFile('httpsig.json', {
  verify: {
    ways: BOTH,
    run(input, now, how) {
      const keyring = new HttpSigKeyring()
      for (const k of input.keys) {
        if ('secret_b64' in k) keyring.addHmacSecret(k.keyid, Buffer.from(k.secret_b64, 'base64'))
        else keyring.addPublicPem(k.keyid, k.alg, k.pem)
      }
      assert.equal(keyring.size, new Set(input.keys.map((k) => k.keyid)).size, 'keyring size')
      const verifier =
        how === 'options'
          ? new HttpSigVerifier(keyring, camelize(input.config))
          : HttpSigVerifier.fromJson(JSON.stringify(input.config), keyring)
      let last
      for (let i = 0; i < (input.repeat || 1); i++) {
        const [msg, related] = message(input, now)
        last = input.request ? verifier.verifyRequest(msg) : verifier.verifyResponse(msg, related)
      }
      return last
    },
    ok: checkPrincipal,
  },
  signature_base: {
    run(input, now) {
      const [msg, related] = message(input, now)
      const options = { relatedRequest: related, structuredFields: input.structured_fields }
      return { base: httpsigSignatureBase(msg, input.signature_params, options) }
    },
    ok: checkFields,
  },
  sign: {
    run(input, now) {
      const signer = signerFor(input.key)
      const [msg, related] = message(input, now)
      const spec = camelize(input.spec)
      const signed = input.request ? signer.signRequest(msg, spec) : signer.signResponse(msg, related ?? null, spec)
      assert.deepEqual(signed.headers, [
        ['Signature-Input', signed.signatureInput],
        ['Signature', signed.signature],
      ])
      assert.ok(signed.signatureInput.startsWith(`${signed.label}=`), 'label')
      return { signature_input: signed.signatureInput, signature: signed.signature, base: signed.signatureBase }
    },
    ok: checkFields,
  },
})
