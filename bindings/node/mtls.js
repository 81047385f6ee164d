'use strict'
// mTLS helpers in JavaScript: `peerCertificates` turns the certificate chain a Node TLS socket
// received into the DER Buffers a `Request` (`peerCertificates`) or
// `MtlsVerifier.verifyChain` takes. Conversion only: every rule is the core's.

/** Most certificates taken from one socket (leaf included). */
const MAX_CERTIFICATES = 16

/**
 * The peer's certificate chain as DER Buffers, leaf first: walks
 * `tlsSocket.getPeerCertificate(true)` through `issuerCertificate`, stopping after a
 * self-issued certificate (its own issuer), at a repeat, or after 16 certificates. An empty
 * array when the peer sent no certificate. Node may complete the chain from the server's own
 * `ca` option; the verifier judges whatever it gets.
 */
function peerCertificates(tlsSocket) {
  if (tlsSocket === null || typeof tlsSocket !== 'object' || typeof tlsSocket.getPeerCertificate !== 'function') {
    throw new TypeError('peerCertificates: expected a tls.TLSSocket (req.socket of an https server)')
  }
  const chain = []
  const seen = new Set()
  let cert = tlsSocket.getPeerCertificate(true)
  while (cert && Buffer.isBuffer(cert.raw) && chain.length < MAX_CERTIFICATES) {
    const id = cert.raw.toString('base64')
    if (seen.has(id)) break
    seen.add(id)
    chain.push(Buffer.from(cert.raw))
    const issuer = cert.issuerCertificate
    if (!issuer || issuer === cert) break
    cert = issuer
  }
  return chain
}

module.exports = { peerCertificates }
