'use strict'
// Runs EVERY case of tests/vectors/mtls/mtls.json through the Node binding, one test per case id
// (mirrors core/tests/mtls_vectors.rs). An unknown `op` fails. `verify` cases build the
// verifier both ways (the camelCase options object and `fromJson`) and check both the
// request path (`verify`) and, for requests without forwarded headers, `verifyChain`.

const test = require('node:test')
const assert = require('node:assert/strict')

const { portcullis, loadVectors, camelize, headersOf, bodyOf, outcome, checkPrincipal, checkFields, checkOutcome } =
  require('../test-support/helpers')
const { MtlsVerifier, Request, certificateThumbprint, checkConfirmation } = portcullis

const b64 = (text) => Buffer.from(text, 'base64')

function verifierOf(config, how) {
  return how === 'options' ? new MtlsVerifier(camelize(config)) : MtlsVerifier.fromJson(JSON.stringify(config))
}

function requestOf(input, now) {
  const spec = input.request || { method: 'GET', target: '/' }
  const options = {
    method: spec.method,
    target: spec.target,
    headers: headersOf(spec),
    peerCertificates: input.chain_b64.map(b64),
    now,
  }
  const body = bodyOf(spec)
  if (body !== undefined) options.body = body
  if (spec.scheme !== undefined) options.scheme = spec.scheme
  if (input.peer_address !== undefined) options.peerAddress = input.peer_address
  return new Request(options)
}

/** Checks one outcome against the vector (both ways of building agree, refusals included). */
function check(c, how, result, checkOk) {
  try {
    checkOutcome(result, c.expect, checkOk)
  } catch (e) {
    e.message = `[${how}] ${e.message}`
    throw e
  }
}

const OPS = {
  verify(c) {
    const { input, now } = c
    const forwarded = (input.request?.headers?.length ?? 0) > 0 || 'forwarded' in input.config
    for (const how of ['options', 'fromJson']) {
      check(c, `${how} verify`, outcome(() => verifierOf(input.config, how).verify(requestOf(input, now))), checkPrincipal)
      if (!forwarded) {
        const chain = input.chain_b64.map(b64)
        check(c, `${how} verifyChain`, outcome(() => verifierOf(input.config, how).verifyChain(chain, now)), checkPrincipal)
      }
    }
  },
  thumbprint(c) {
    check(c, 'thumbprint', outcome(() => ({ 'x5t#S256': certificateThumbprint(b64(c.input.cert_b64)) })), checkFields)
  },
  confirm(c) {
    const thumbprint = certificateThumbprint(b64(c.input.cert_b64))
    for (const [how, claims] of [
      ['object', c.input.claims],
      ['text', JSON.stringify(c.input.claims)],
    ]) {
      check(c, how, outcome(() => (checkConfirmation(claims, thumbprint), {})), checkFields)
    }
  },
}

test.describe('mtls/mtls.json', () => {
  const cases = loadVectors('mtls/mtls.json')
  test('has cases', () => assert.ok(cases.length >= 91))
  const ids = new Set()
  for (const c of cases) {
    test(c.id, () => {
      assert.ok(!ids.has(c.id), `duplicate case id ${c.id}`)
      ids.add(c.id)
      const op = OPS[c.input.op]
      assert.ok(op, `unknown op ${c.input.op}`)
      op(c)
    })
  }
})
