'use strict'
// The portcullis demo in Node.js: the same 15 requests as demo.c and demo.py, one line each.
// `make demo` diffs the three outputs; they must be byte-identical.

const path = require('node:path')
const { ApiKeyRing, BasicAuth, Request, hashPassword } = require(path.join(__dirname, '..', '..', 'bindings', 'node'))

const NOW = 1767225600

const ring = new ApiKeyRing({
  pepper: Buffer.from('demo-pepper-0123456789abcdef0123', 'ascii'),
  prefix: 'pc',
  environment: 'live',
  realm: 'demo',
})
const k1 = ring.generate({ subject: 'svc-billing', scopes: ['orders:read'], now: NOW })
const k2 = ring.generate({ subject: 'svc-billing', scopes: ['orders:read'], expiresAt: NOW + 3600, now: NOW })
const k3 = ring.generate({ subject: 'svc-reports', scopes: ['orders:read'], now: NOW })
const k4 = ring.generate({ subject: 'svc-ghost', now: NOW })
for (const issued of [k1, k2, k3]) ring.insert(issued.record)
ring.revoke(k3.record.keyId, NOW - 1)

const basic = new BasicAuth({
  realm: 'demo',
  users: { alice: hashPassword('correct horse battery staple') },
  htpasswd: 'bob:$2y$05$goj0pwBt4vml.1uO7DxaUe6SvNQJFBMjHhANzqU2Ka/UmCfbq6Rzy\n',
})

const typo = k1.key.slice(0, -1) + (k1.key.endsWith('A') ? 'B' : 'A')
const bearer = (key) => [['Authorization', `Bearer ${key}`]]
const basicAuth = (user, password) => [
  ['Authorization', `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`],
]

// [label, verifier, headers, required scopes, time]
const cases = [
  ['apikey bearer ok', 'apikey', bearer(k1.key), ['orders:read']],
  ['apikey header ok', 'apikey', [['X-API-Key', k1.key]], []],
  ['apikey unknown key', 'apikey', bearer(k4.key), []],
  ['apikey typo', 'apikey', bearer(typo), []],
  ['apikey expired', 'apikey', bearer(k2.key), [], NOW + 7200],
  ['apikey revoked', 'apikey', bearer(k3.key), []],
  ['apikey malformed', 'apikey', bearer('not-a-key'), []],
  ['apikey missing scope', 'apikey', bearer(k1.key), ['orders:write']],
  ['apikey no credentials', 'apikey', [], []],
  ['basic alice ok', 'basic', basicAuth('alice', 'correct horse battery staple')],
  ['basic bob bcrypt ok', 'basic', basicAuth('bob', 'hunter2')],
  ['basic wrong password', 'basic', basicAuth('alice', 'wrong')],
  ['basic unknown user', 'basic', basicAuth('mallory', 'hunter2')],
  ['basic bad base64', 'basic', [['Authorization', 'Basic !!!']]],
  ['basic no colon', 'basic', [['Authorization', 'Basic YWxpY2U=']]],
]

const lines = []
for (const [label, verifier, headers, scopes, now = NOW] of cases) {
  const request = new Request({ method: 'GET', target: '/orders', headers, now })
  try {
    const principal = verifier === 'apikey' ? ring.verify(request, scopes) : basic.verify(request)
    lines.push(`${label}: allow subject=${principal.subject} method=${principal.method}`)
  } catch (err) {
    if (typeof err.code !== 'string' || typeof err.httpStatus !== 'number') throw err
    lines.push(`${label}: deny ${err.code} status=${err.httpStatus} challenge=${err.challenge ?? '-'}`)
  }
}
process.stdout.write(lines.join('\n') + '\n')
