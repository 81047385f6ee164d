'use strict'
// Runs EVERY case of tests/vectors/jwks.json (format: tests/vectors/JWKS.md) through the Node
// binding, one test per case id; an unknown `op` fails. `verify_remote` starts a loopback HTTP
// server for the case on this very event loop, so verification must not block it:
// `verifyTokenAsync` (the sync form would deadlock). Clients and verifiers are built both ways
// (camelCase options objects and `fromJson`), each with its own server and request count.
// A hand-made case (keys generated here) runs through the same code even without the file.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { portcullis, VECTORS, loadVectors, camelize, outcome, outcomeAsync, checkPrincipal, checkOutcome } =
  require('../test-support/helpers')
const { startServer } = require('../test-support/http-server')
const { JwksClient, JwtKey, JwtKeySet, JwtVerifier, jwtEncode } = portcullis

const WAYS = ['options', 'fromJson']

/** `{{base}}` replaced in every top-level string value of a config. */
function withBase(config, base) {
  const out = {}
  for (const [k, v] of Object.entries(config)) out[k] = typeof v === 'string' ? v.replaceAll('{{base}}', base) : v
  return out
}

function clientOf(config, how) {
  return how === 'options' ? new JwksClient(camelize(config)) : JwksClient.fromJson(JSON.stringify(config))
}

function verifierOf(input, base, how) {
  const client = clientOf(withBase(input.config, base), how)
  return how === 'options'
    ? new JwtVerifier(client, camelize(input.jwt_config))
    : JwtVerifier.fromJson(JSON.stringify(input.jwt_config), client)
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
  async verify_remote(c) {
    const { input, now } = c
    for (const how of WAYS) {
      const server = await startServer()
      try {
        for (const r of input.responses) {
          server.set(r.path, { status: r.status, headers: r.headers, body: r.body.replaceAll('{{base}}', server.base) })
        }
        const built = outcome(() => verifierOf(input, server.base, how))
        for (let i = 0; i < (input.times ?? 1); i++) {
          const result = built.error ? built : await outcomeAsync(() => built.ok.verifyTokenAsync(input.token, { now }))
          check(c, `${how} attempt ${i + 1}`, result, checkPrincipal)
        }
        if ('requests' in c.expect) assert.equal(server.requests, c.expect.requests, `[${how}] requests (${server.paths})`)
      } finally {
        await server.close()
      }
    }
  },
  async jwks_config(c) {
    for (const how of WAYS) {
      check(c, how, outcome(() => (clientOf(c.input.config, how), {})), (got, want) => assert.deepEqual(got, want))
    }
  },
}

async function run(c) {
  const op = OPS[c.input.op]
  assert.ok(op, `unknown op ${c.input.op}`)
  await op(c)
}

test.describe('jwks.json', () => {
  const cases = loadVectors('jwks.json')
  test('has cases', () => assert.ok(cases.length >= 145))
  const ids = new Set()
  for (const c of cases) {
    test(c.id, async () => {
      assert.ok(!ids.has(c.id), `duplicate case id ${c.id}`)
      ids.add(c.id)
      await run(c)
    })
  }
})

test.describe('the runner on hand-made cases', () => {
  const NOW = Math.floor(Date.now() / 1000)
  const key = JwtKey.generate('ES256')
  const set = new JwtKeySet()
  set.insert(key)
  const jwks = JSON.stringify(set.publicJwks())
  const token = jwtEncode({ sub: 'alice', iss: 'https://idp.example', exp: NOW + 3600, scope: 'read' }, key)
  const responses = [{ path: '/jwks.json', status: 200, headers: [['Content-Type', 'application/json']], body: jwks }]
  const jwt_config = { issuers: ['https://idp.example'] }
  const hand = [
    {
      id: 'hand-ok-cached',
      now: NOW,
      input: { op: 'verify_remote', responses, config: { url: '{{base}}/jwks.json' }, jwt_config, token, times: 3 },
      expect: { ok: { subject: 'alice', method: 'jwt', credential_id: key.kid, scopes: ['read'] }, requests: 1 },
    },
    {
      id: 'hand-discovery',
      now: NOW,
      input: {
        op: 'verify_remote',
        responses: [
          ...responses,
          {
            path: '/.well-known/openid-configuration',
            status: 200,
            headers: [],
            body: '{"issuer": "{{base}}", "jwks_uri": "{{base}}/jwks.json"}',
          },
        ],
        config: { issuer: '{{base}}' },
        jwt_config,
        token,
      },
      expect: { ok: { subject: 'alice' }, requests: 2 },
    },
    {
      id: 'hand-404',
      now: NOW,
      input: { op: 'verify_remote', responses, config: { url: '{{base}}/other.json' }, jwt_config, token, times: 2 },
      expect: { error: 'jwt_jwks_unavailable', requests: 1 },
    },
    { id: 'hand-config-ok', now: NOW, input: { op: 'jwks_config', config: { url: 'https://idp.example/jwks' } }, expect: { ok: {} } },
    {
      id: 'hand-config-unknown',
      now: NOW,
      input: { op: 'jwks_config', config: { url: 'https://idp.example/jwks', ttl: 5 } },
      expect: { error: 'json_invalid' },
    },
    { id: 'hand-config-both', now: NOW, input: { op: 'jwks_config', config: { url: 'https://a.example/j', issuer: 'https://a.example' } }, expect: { error: 'config_invalid' } },
  ]
  for (const c of hand) test(c.id, () => run(c))
  test('a wrong expectation fails', async () => {
    await assert.rejects(run({ ...hand[0], expect: { ...hand[0].expect, requests: 2 } }), /requests/)
    await assert.rejects(run({ ...hand[2], expect: { error: 'jwt_jwks_invalid', requests: 1 } }), /code/)
  })
})
