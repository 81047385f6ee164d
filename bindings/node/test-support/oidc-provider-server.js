'use strict'
// node-oidc-provider for tests in other languages (bindings/python/tests/test_oidc_provider.py):
// starts two providers on 127.0.0.1 (test-support/oidc-provider.js), the second being an issuer
// the caller does not configure, and prints ONE line of JSON on stdout:
//
//   {"issuer", "other_issuer", "resource", "client_id",
//    "token"        (orders:read orders:write, Bearer),
//    "narrow_token" (orders:read only),
//    "other_token"  (from the other issuer),
//    "dpop_token"   (DPoP-bound: cnf.jkt),
//    "dpop_key"     (the proof key: a private P-256 JWK made for this run, to sign proofs),
//    "dpop_jkt"     (its RFC 7638 thumbprint)}
//
// Then it answers commands, one per line on stdin, each with one line of JSON on stdout:
//
//   counts      {"issuer": {path: n, ...}, "other_issuer": {path: n, ...}}: the requests
//               each provider received, by path
//
// It stops (closing both providers) when stdin ends, or after 120 s at the latest.
// Provider notices go to stderr.

const crypto = require('node:crypto')
const readline = require('node:readline')

const { startProvider, RESOURCE } = require('./oidc-provider.js')

const LIFETIME_MS = 120_000

// stdout is the protocol: the provider's console.info notices are sent to stderr.
console.info = (...args) => console.error(...args)
const send = (value) => process.stdout.write(`${JSON.stringify(value)}\n`)

async function main() {
  const jose = await import('jose')
  const [a, b] = await Promise.all([startProvider({ clientId: 'svc-billing' }), startProvider({ clientId: 'svc-other' })])
  let closing = false
  const close = async () => {
    if (closing) return
    closing = true
    clearTimeout(timer)
    await Promise.all([a.close(), b.close()])
    process.exit(0)
  }
  const timer = setTimeout(close, LIFETIME_MS)

  // The DPoP key and a proof for the token request (RFC 9449 4.2).
  const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true })
  const jwk = await jose.exportJWK(publicKey)
  const proof = (htm, htu) =>
    new jose.SignJWT({ htm, htu, iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID() })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
      .sign(privateKey)

  const token = async (provider, scope) => (await provider.token({ resource: RESOURCE, scope })).access_token
  const bound = await a.tokenRequest(
    { resource: RESOURCE, scope: 'orders:read orders:write' },
    { dpop: await proof('POST', `${a.issuer}/token`) },
  )
  if (bound.status !== 200 || bound.body.token_type !== 'DPoP') {
    throw new Error(`DPoP token request failed: ${bound.status} ${JSON.stringify(bound.body)}`)
  }
  const dpopToken = bound.body.access_token

  send({
    issuer: a.issuer,
    other_issuer: b.issuer,
    resource: RESOURCE,
    client_id: a.clientId,
    token: await token(a, 'orders:read orders:write'),
    narrow_token: await token(a, 'orders:read'),
    other_token: await token(b, 'orders:read orders:write'),
    dpop_token: dpopToken,
    dpop_key: await jose.exportJWK(privateKey),
    dpop_jkt: await jose.calculateJwkThumbprint(jwk, 'sha256'),
  })

  const lines = readline.createInterface({ input: process.stdin })
  lines.on('line', (line) => {
    if (line.trim() === 'counts') {
      send({ issuer: Object.fromEntries(a.requests), other_issuer: Object.fromEntries(b.requests) })
    } else {
      send({ error: `unknown command: ${line}` })
    }
  })
  lines.on('close', close)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
