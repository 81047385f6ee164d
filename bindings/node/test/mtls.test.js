'use strict'
// mTLS through real TLS handshakes on loopback: an `https` server that asks for a client
// certificate but lets every one through (`rejectUnauthorized: false`), so that portcullis
// judges each chain (`peerCertificates(req.socket)`), and clients presenting DevCa-issued
// certificates. Plus forwarded headers, RFC 8705 bound tokens, bad input and key hygiene.

const test = require('node:test')
const assert = require('node:assert/strict')
const https = require('node:https')
const util = require('node:util')

const { portcullis, throwsUnknownOption } = require('../test-support/helpers')
const {
  DevCa,
  IssuedCertificate,
  MtlsVerifier,
  JwtKey,
  JwtKeySet,
  JwtVerifier,
  Request,
  certificateThumbprint,
  checkConfirmation,
  jwtEncode,
  peerCertificates,
} = portcullis

// The handshake runs on the wall clock (the client checks the server certificate), so the
// PKI is issued around the real time; portcullis checks at the same pinned `NOW`.
const NOW = Math.floor(Date.now() / 1000)
const DAY = 86400
const TD = 'spiffe://prod.example'

const ca = new DevCa('test root', { notBefore: NOW - 30 * DAY, notAfter: NOW + 365 * DAY })
const rogue = new DevCa('rogue root', { notBefore: NOW - 30 * DAY, notAfter: NOW + 365 * DAY })
const serverCert = ca.issueServer(['localhost', '127.0.0.1'], { notBefore: NOW - DAY, notAfter: NOW + 30 * DAY })

const client = (spec) => ca.issueClient({ notBefore: NOW - 3600, notAfter: NOW + DAY, ...spec })
const certs = {
  good: client({ spiffeId: `${TD}/ns/billing` }),
  expired: client({ spiffeId: `${TD}/ns/billing`, notBefore: NOW - 2 * DAY, notAfter: NOW - DAY }),
  early: client({ spiffeId: `${TD}/ns/billing`, notBefore: NOW + DAY, notAfter: NOW + 2 * DAY }),
  serverEku: client({ spiffeId: `${TD}/ns/billing`, ekuClientAuth: false, ekuServerAuth: true }),
  rogue: rogue.issueClient({ spiffeId: `${TD}/ns/billing`, notBefore: NOW - 3600, notAfter: NOW + DAY }),
  revoked: client({ spiffeId: `${TD}/ns/billing` }),
  otherDomain: client({ spiffeId: 'spiffe://other.example/ns/billing' }),
  dnsOnly: client({ dns: ['svc.internal'], cn: 'svc' }),
}
ca.revoke(certs.revoked.serial, NOW - 60)

const anchors = [ca.caCertPem()]
const VERIFIERS = {
  plain: new MtlsVerifier({ trustAnchors: anchors }),
  spiffe: new MtlsVerifier({
    trustAnchors: anchors,
    spiffeTrustDomains: ['prod.example'],
    rules: [{ match: { spiffePrefix: `${TD}/ns/billing` }, subject: 'billing', scopes: ['invoices:read'] }],
  }),
  crl: new MtlsVerifier({ trustAnchors: anchors, crls: [ca.crlPem(NOW - 60, NOW + DAY)] }),
  pinned: new MtlsVerifier({ trustAnchors: anchors, pinnedFingerprints: [certs.dnsOnly.fingerprintSha256] }),
  proxyElsewhere: new MtlsVerifier({
    trustAnchors: anchors,
    forwarded: { header: 'x-ssl-client-cert', format: 'nginx', trustedProxies: ['10.0.0.0/8'] },
  }),
  proxyLoopback: MtlsVerifier.fromJson(
    JSON.stringify({
      trust_anchors: anchors,
      forwarded: { header: 'x-ssl-client-cert', format: 'nginx', trusted_proxies: ['127.0.0.1/32', '::1/128'] },
    }),
  ),
}

// RFC 8705: a verifier that needs the token bound to the TLS client certificate.
const jwtKey = JwtKey.fromSecret(Buffer.alloc(32, 7), 'HS256', 'hs')
const jwtKeys = new JwtKeySet()
jwtKeys.insert(jwtKey)
const bound = new JwtVerifier(jwtKeys, { requireCertificateBinding: true })
const boundToken = (cert) =>
  jwtEncode({ sub: 'user-1', exp: NOW + 600, cnf: { 'x5t#S256': certificateThumbprint(cert.der) } }, jwtKey)

let server
let port
const seen = [] // what each handshake handed over: [chain length, authorized by OpenSSL]

test.before(async () => {
  server = https.createServer(
    {
      key: serverCert.keyPem,
      cert: serverCert.chainPem,
      ca: anchors,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      let body
      try {
        const chain = peerCertificates(req.socket)
        seen.push(chain.length)
        const request = new Request({
          method: req.method,
          target: req.url,
          headers: req.rawHeaders,
          peerCertificates: chain,
          peerAddress: req.socket.remoteAddress,
          now: NOW,
        })
        const [, name] = req.url.split('/')
        const principal = name === 'jwt' ? bound.verify(request) : VERIFIERS[name].verify(request)
        body = { ok: { subject: principal.subject, scopes: principal.scopes, spiffeId: principal.claims.spiffe_id } }
      } catch (err) {
        body = { error: err.code, status: err.httpStatus }
      }
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(body))
    },
  )
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = server.address().port
})

test.after(() => new Promise((resolve) => server.close(resolve)))

/** One request over a fresh TLS connection (no agent: no session reuse between identities). */
function call(path, cert, headers = {}) {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path, ca: anchors, agent: false, headers, timeout: 5000 }
    if (cert) Object.assign(options, { key: cert.keyPem, cert: cert.chainPem })
    const req = https.request(options, (res) => {
      const parts = []
      res.on('data', (d) => parts.push(d))
      res.on('end', () => resolve(JSON.parse(Buffer.concat(parts).toString('utf8'))))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error('request timed out')))
    req.on('error', reject)
    req.end()
  })
}

async function denied(path, cert, code, headers) {
  const got = await call(path, cert, headers)
  assert.deepEqual(got.error, code, JSON.stringify(got))
  return got
}

test.describe('TLS handshakes', () => {
  test('trusted SPIFFE client', async () => {
    const got = await call('/spiffe', certs.good)
    assert.deepEqual(got, {
      ok: { subject: 'billing', scopes: ['invoices:read'], spiffeId: `${TD}/ns/billing` },
    })
    const plain = await call('/plain', certs.good)
    assert.equal(plain.ok.subject, `${TD}/ns/billing`)
  })

  test('the chain handed over is the leaf first, bounded', async () => {
    seen.length = 0
    await call('/plain', certs.good)
    assert.ok(seen[0] >= 1 && seen[0] <= 16, `chain length ${seen[0]}`)
  })

  test('no client certificate', async () => {
    const got = await denied('/plain', null, 'mtls_certificate_missing')
    assert.equal(got.status, 401)
  })

  test('expired', () => denied('/plain', certs.expired, 'mtls_expired'))
  test('not yet valid', () => denied('/plain', certs.early, 'mtls_not_yet_valid'))
  test('serverAuth EKU only', () => denied('/plain', certs.serverEku, 'mtls_usage_invalid'))
  test('untrusted root', () => denied('/plain', certs.rogue, 'mtls_untrusted'))

  test('revoked by CRL', async () => {
    await denied('/crl', certs.revoked, 'mtls_revoked')
    assert.equal((await call('/crl', certs.good)).ok.subject, `${TD}/ns/billing`)
  })

  test('wrong SPIFFE trust domain', async () => {
    const got = await denied('/spiffe', certs.otherDomain, 'mtls_identity_refused')
    assert.equal(got.status, 403)
    await denied('/spiffe', certs.dnsOnly, 'mtls_identity_refused')
  })

  test('pinned fingerprint', async () => {
    assert.equal((await call('/pinned', certs.dnsOnly)).ok.subject, 'svc.internal')
    const got = await denied('/pinned', certs.good, 'mtls_pin_mismatch')
    assert.equal(got.status, 403)
  })

  test('forwarded header from an untrusted address is forged', async () => {
    const header = { 'x-ssl-client-cert': encodeURIComponent(certs.good.certPem) }
    const got = await denied('/proxyElsewhere', null, 'mtls_forwarded_untrusted', header)
    assert.equal(got.status, 403)
    // Even beside a valid TLS client certificate.
    await denied('/proxyElsewhere', certs.good, 'mtls_forwarded_untrusted', header)
    // Without the header, a direct client still authenticates with its own certificate.
    assert.equal((await call('/proxyElsewhere', certs.good)).ok.subject, `${TD}/ns/billing`)
  })

  test('forwarded header from a trusted proxy', async () => {
    const header = (cert) => ({ 'x-ssl-client-cert': encodeURIComponent(cert.certPem) })
    assert.equal((await call('/proxyLoopback', null, header(certs.good))).ok.subject, `${TD}/ns/billing`)
    // The proxy's own TLS certificate never stands in for the client's.
    await denied('/proxyLoopback', certs.good, 'mtls_certificate_missing')
    // The forwarded certificate is verified like one from TLS.
    await denied('/proxyLoopback', null, 'mtls_expired', header(certs.expired))
    await denied('/proxyLoopback', null, 'mtls_forwarded_malformed', { 'x-ssl-client-cert': 'abc%2' })
  })

  test('RFC 8705: token bound to the TLS client certificate', async () => {
    const bearer = (cert) => ({ authorization: `Bearer ${boundToken(cert)}` })
    assert.equal((await call('/jwt', certs.good, bearer(certs.good))).ok.subject, 'user-1')
    await denied('/jwt', certs.dnsOnly, 'jwt_confirmation_mismatch', bearer(certs.good))
    await denied('/jwt', null, 'jwt_confirmation_mismatch', bearer(certs.good))
  })
})

test.describe('verifyChain', () => {
  const v = VERIFIERS.spiffe
  test('at an explicit time', () => {
    assert.equal(v.verifyChain([certs.good.der], NOW).subject, 'billing')
    assert.throws(() => v.verifyChain([certs.good.der], NOW + 2 * DAY), { code: 'mtls_expired' })
    assert.throws(() => v.verifyChain([certs.good.der], NOW - 2 * 3600), { code: 'mtls_not_yet_valid' })
  })
  test('system clock by default', () => {
    assert.equal(v.verifyChain([certs.good.der]).subject, 'billing')
  })
  test('through an intermediate the client sends', () => {
    const mid = ca.issueIntermediate('test issuing', { notBefore: NOW - DAY, notAfter: NOW + 30 * DAY, pathLen: 0 })
    assert.notEqual(mid.intermediatesPem(), '')
    assert.equal(ca.intermediatesPem(), '')
    const leaf = mid.issueClient({ spiffeId: `${TD}/ns/billing/api`, notBefore: NOW - 60, notAfter: NOW + 3600 })
    assert.ok(leaf.chainPem.startsWith(leaf.certPem) && leaf.chainPem.length > leaf.certPem.length)
    const midDer = Buffer.from(mid.caCertPem().replace(/-----[^-]+-----|\s/g, ''), 'base64')
    assert.equal(v.verifyChain([leaf.der, midDer], NOW).subject, 'billing')
    assert.throws(() => v.verifyChain([leaf.der], NOW), { code: 'mtls_untrusted' })
    const withPool = new MtlsVerifier({ trustAnchors: anchors, intermediates: [mid.caCertPem()] })
    assert.equal(withPool.verifyChain([leaf.der], NOW).subject, `${TD}/ns/billing/api`)
  })
  test('principal', () => {
    const p = v.verifyChain([certs.good.der], NOW)
    assert.equal(p.method, 'mtls')
    assert.equal(p.credentialId, `sha256:${certs.good.fingerprintSha256}`)
    assert.equal(p.claims.serial, certs.good.serial.replace(/^0+/, ''))
    assert.equal(p.claims['x5t#S256'], certificateThumbprint(certs.good.der))
    assert.equal(p.expiresAt, NOW + DAY)
  })
})

test.describe('RFC 8705 helpers', () => {
  const thumb = certificateThumbprint(certs.good.der)
  test('certificateThumbprint is base64url SHA-256', () => {
    const want = require('node:crypto').createHash('sha256').update(certs.good.der).digest('base64url')
    assert.equal(thumb, want)
  })
  test('checkConfirmation', () => {
    checkConfirmation({ cnf: { 'x5t#S256': thumb } }, thumb)
    checkConfirmation(JSON.stringify({ cnf: { 'x5t#S256': thumb } }), thumb)
    for (const claims of [{}, { cnf: 'x' }, { cnf: {} }, { cnf: { 'x5t#S256': 7 } }, { cnf: { 'x5t#S256': thumb + 'A' } }]) {
      assert.throws(() => checkConfirmation(claims, thumb), { code: 'jwt_confirmation_mismatch' })
    }
  })
  test('verifyToken refuses every token when binding is required', () => {
    assert.throws(() => bound.verifyToken(boundToken(certs.good), { now: NOW }), { code: 'jwt_confirmation_mismatch' })
  })
})

test.describe('peerCertificates', () => {
  test('walks issuerCertificate, stops at self-issued, repeats and 16', () => {
    const raw = (n) => Buffer.from([n])
    const root = { raw: raw(0) }
    root.issuerCertificate = root
    const leaf = { raw: raw(1), issuerCertificate: { raw: raw(2), issuerCertificate: root } }
    const socket = (cert) => ({ getPeerCertificate: (detailed) => (assert.equal(detailed, true), cert) })
    assert.deepEqual(peerCertificates(socket(leaf)), [raw(1), raw(2), raw(0)])
    assert.deepEqual(peerCertificates(socket({})), [])
    assert.deepEqual(peerCertificates(socket(null)), [])
    const a = { raw: raw(3) }
    const b = { raw: raw(4), issuerCertificate: a }
    a.issuerCertificate = b
    assert.deepEqual(peerCertificates(socket(a)), [raw(3), raw(4)])
    let long = { raw: raw(100) }
    for (let i = 0; i < 40; i++) long = { raw: raw(i + 10), issuerCertificate: long }
    assert.equal(peerCertificates(socket(long)).length, 16)
  })
  test('refuses what is not a TLS socket', () => {
    for (const bad of [undefined, null, 7, 'socket', {}, { getPeerCertificate: 1 }]) {
      assert.throws(() => peerCertificates(bad), TypeError)
    }
  })
})

test.describe('bad input', () => {
  const typeError = (fn) =>
    assert.throws(fn, (err) => {
      assert.ok(err instanceof Error)
      assert.equal(err.number, undefined, `${err.code}: ${err.message}`)
      return true
    })

  test('MtlsVerifier options', () => {
    typeError(() => new MtlsVerifier())
    typeError(() => new MtlsVerifier('{}'))
    typeError(() => new MtlsVerifier([]))
    throwsUnknownOption(() => new MtlsVerifier({ trustAnchors: anchors, trustAnchor: anchors }), 'trustAnchor')
    throwsUnknownOption(
      () => new MtlsVerifier({ trustAnchors: anchors, rules: [{ match: { spiffe_id: `${TD}/a` } }] }),
      'spiffe_id',
    )
    throwsUnknownOption(
      () => new MtlsVerifier({ trustAnchors: anchors, rules: [{ match: { spiffeID: `${TD}/a` } }] }),
      'spiffeID',
    )
    throwsUnknownOption(
      () => new MtlsVerifier({ trustAnchors: anchors, forwarded: { trusted_proxies: ['10.0.0.0/8'] } }),
      'trusted_proxies',
    )
    typeError(() => new MtlsVerifier({ trustAnchors: [() => 1] }))
    assert.throws(() => new MtlsVerifier({}), { code: 'config_invalid' })
    assert.throws(() => new MtlsVerifier({ trustAnchors: 'pem' }), { code: 'json_invalid' })
    assert.throws(() => new MtlsVerifier({ trustAnchors: ['not a pem'] }), { code: 'config_invalid' })
    assert.throws(() => new MtlsVerifier({ trustAnchors: anchors, crls: ['junk'] }), (e) => /^(config_invalid|mtls_crl_invalid)$/.test(e.code))
    assert.throws(() => new MtlsVerifier({ trustAnchors: anchors, revocationDepth: 'leaf' }), { code: 'json_invalid' })
    assert.throws(() => new MtlsVerifier({ trustAnchors: anchors, pinnedFingerprints: ['abc'] }), { code: 'config_invalid' })
    assert.throws(
      () => new MtlsVerifier({ trustAnchors: anchors, rules: [{ match: { dns: 'a', cn: 'b' } }] }),
      { code: 'config_invalid' },
    )
    assert.throws(() => new MtlsVerifier({ trustAnchors: anchors, forwarded: { trustedProxies: ['nope'] } }), {
      code: 'config_invalid',
    })
    assert.throws(() => new MtlsVerifier({ trustAnchors: anchors, spiffeTrustDomains: ['Bad/Domain'] }), {
      code: 'config_invalid',
    })
  })

  test('MtlsVerifier.fromJson', () => {
    assert.throws(() => MtlsVerifier.fromJson('{'), { code: 'json_invalid' })
    assert.throws(() => MtlsVerifier.fromJson('[]'), (e) => /^(json_invalid|config_invalid)$/.test(e.code))
    assert.throws(() => MtlsVerifier.fromJson(JSON.stringify({ trust_anchors: anchors, bogus: 1 })), (e) =>
      /^(json_invalid|config_invalid)$/.test(e.code),
    )
    typeError(() => MtlsVerifier.fromJson({ trust_anchors: anchors }))
  })

  test('verify and verifyChain arguments', () => {
    const v = VERIFIERS.plain
    typeError(() => v.verify({ method: 'GET', target: '/' }))
    typeError(() => v.verifyChain(certs.good.der))
    typeError(() => v.verifyChain(['MII...']))
    assert.throws(() => v.verifyChain([]), { code: 'mtls_certificate_missing' })
    // The rule of a request's peer chain, from the core: at most 16, none empty.
    assert.throws(() => v.verifyChain(Array(17).fill(certs.good.der), NOW), { code: 'input_too_large' })
    assert.throws(() => v.verifyChain([certs.good.der, Buffer.alloc(0)], NOW), { code: 'invalid_argument' })
    assert.throws(() => v.verifyChain([Buffer.from('not DER')], NOW), (e) => e.code.startsWith('mtls_'))
    assert.throws(() => v.verifyChain([certs.good.der], 1.5), { code: 'invalid_argument' })
    assert.throws(() => v.verifyChain([certs.good.der], NaN), { code: 'invalid_argument' })
    typeError(() => new Request({ method: 'GET', target: '/', peerCertificates: ['pem'] }))
    assert.throws(() => new Request({ method: 'GET', target: '/', peerAddress: '300.1.1.1' }), { code: 'invalid_argument' })
  })

  test('DevCa arguments', () => {
    typeError(() => new DevCa('x'))
    typeError(() => new DevCa(7, { notBefore: NOW, notAfter: NOW + 1 }))
    assert.throws(() => new DevCa('x', { notBefore: 1.5, notAfter: NOW }), { code: 'invalid_argument' })
    throwsUnknownOption(() => ca.issueClient({ spiffe_id: `${TD}/a` }), 'spiffe_id', 'invalid_argument')
    throwsUnknownOption(() => ca.issueServer(['a.example'], { dnsNames: ['b.example'] }), 'dnsNames', 'invalid_argument')
    typeError(() => ca.issueClient('spiffe://x/y'))
    assert.throws(() => ca.issueClient({ notBefore: 'yesterday' }), { code: 'invalid_argument' })
    assert.throws(() => ca.issueClient({ notBefore: 1.5 }), { code: 'invalid_argument' })
    assert.throws(() => ca.issueClient({ dns: ['bücher.example'] }), { code: 'invalid_argument' })
    typeError(() => ca.issueServer('localhost'))
    assert.throws(() => ca.issueIntermediate('m', { notBefore: NOW, notAfter: NOW + 1, pathLen: 300 }), {
      code: 'invalid_argument',
    })
    assert.throws(() => ca.revoke('not hex', NOW), { code: 'invalid_argument' })
    assert.throws(() => ca.crlPem(NOW, 1e300), { code: 'invalid_argument' })
    typeError(() => certificateThumbprint('MIIB'))
    typeError(() => checkConfirmation(42, 'x'))
    typeError(() => checkConfirmation([], 'x'))
    assert.throws(() => checkConfirmation('{', 'x'), { code: 'json_invalid' })
  })
})

test.describe('no key material in string forms', () => {
  test('IssuedCertificate and DevCa', () => {
    const cert = certs.good
    assert.ok(cert instanceof IssuedCertificate)
    assert.match(cert.keyPem, /^-----BEGIN PRIVATE KEY-----/)
    assert.ok(Buffer.isBuffer(cert.der))
    assert.match(cert.certPem, /^-----BEGIN CERTIFICATE-----/)
    assert.match(cert.fingerprintSha256, /^[0-9a-f]{64}$/)
    for (const text of [String(cert), util.inspect(cert, { depth: 5, showHidden: true }), JSON.stringify(cert), String(ca), util.inspect(ca)]) {
      assert.doesNotMatch(text, /PRIVATE KEY/)
    }
    assert.match(String(cert), new RegExp(cert.serial))
    assert.match(String(VERIFIERS.proxyLoopback), /x-ssl-client-cert/)
  })
})
