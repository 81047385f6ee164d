/**
 * The peer's certificate chain as DER Buffers, leaf first: walks
 * `tlsSocket.getPeerCertificate(true)` through `issuerCertificate`, stopping after a
 * self-issued certificate, at a repeat, or after 16 certificates. An empty array when the
 * peer sent no certificate. Throws a `TypeError` for anything but a TLS socket.
 */
export declare function peerCertificates(tlsSocket: {
  getPeerCertificate(detailed: true): object
}): Array<Buffer>
