'use strict'
// JWT beyond the shared vectors: interop with `jose` both ways for every algorithm both
// support, key import/export round trips, alg none / confusion, revocation and the cache,
// argument types, and secrets kept out of errors and string forms.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const util = require('node:util')

const { portcullis, keyPair, throwsUnknownOption } = require('../test-support/helpers')
const { JwtKey, JwtKeySet, JwtVerifier, Request, jwtEncode, jwkThumbprint } = portcullis

const NOW = 1767225600
const HMAC = { HS256: 32, HS384: 48, HS512: 64 }
const NODE_KEYS = {
  RS256: ['rsa', { modulusLength: 2048 }],
  RS384: ['rsa', { modulusLength: 2048 }],
  RS512: ['rsa', { modulusLength: 2048 }],
  PS256: ['rsa', { modulusLength: 2048 }],
  PS384: ['rsa', { modulusLength: 2048 }],
  PS512: ['rsa', { modulusLength: 2048 }],
  ES256: ['ec', { namedCurve: 'P-256' }],
  ES384: ['ec', { namedCurve: 'P-384' }],
  ES512: ['ec', { namedCurve: 'P-521' }],
  EdDSA: ['ed25519'],
}
const ASYMMETRIC = Object.keys(NODE_KEYS)
const ALL = [...Object.keys(HMAC), ...ASYMMETRIC]

const claims = (extra = {}) => ({ sub: 'user-1', iss: 'https://issuer.test', aud: 'api', iat: NOW, exp: NOW + 600, ...extra })
const CONFIG = { issuers: ['https://issuer.test'], audiences: ['api'] }

function verifierWith(...keys) {
  const keyset = new JwtKeySet()
  for (const key of keys) keyset.insert(key)
  return new JwtVerifier(keyset, CONFIG)
}

function throwsCode(fn, code) {
  assert.throws(fn, (err) => {
    assert.equal(err.code, code, `${err.code}: ${err.detail || err.message}`)
    return true
  })
}

async function rejectsCode(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.code, code, `${err.code}: ${err.detail || err.message}`)
    return true
  })
}

let jose
test.before(async () => {
  jose = await import('jose')
})

// ---- interop with jose ----------------------------------------------------------------------

test.describe('jose signs, portcullis verifies', () => {
  for (const alg of ALL) {
    test(alg, async () => {
      let signWith
      let keys
      if (alg in HMAC) {
        const secret = crypto.randomBytes(HMAC[alg])
        signWith = new Uint8Array(secret)
        keys = [JwtKey.fromSecret(secret, alg, 'k1')]
      } else {
        const { publicKey, privateKey } = keyPair(...NODE_KEYS[alg])
        signWith = privateKey
        keys = [
          JwtKey.fromPem(publicKey.export({ type: 'spki', format: 'pem' }), alg, 'k1'),
          JwtKey.fromDer(publicKey.export({ type: 'spki', format: 'der' }), alg, 'k1'),
          JwtKey.fromJwk({ ...publicKey.export({ format: 'jwk' }), kid: 'k1' }, alg),
        ]
      }
      const token = await new jose.SignJWT(claims({ scope: 'orders:read orders:write' }))
        .setProtectedHeader({ alg, kid: 'k1', typ: 'JWT' })
        .sign(signWith)
      for (const key of keys) {
        const principal = verifierWith(key).verifyToken(token, { now: NOW, scopes: ['orders:read'] })
        assert.equal(principal.subject, 'user-1')
        assert.equal(principal.method, 'jwt')
        assert.equal(principal.credentialId, 'k1')
        assert.deepEqual(principal.scopes, ['orders:read', 'orders:write'])
        assert.equal(principal.expiresAt, NOW + 600)
        assert.equal(principal.claims.iss, 'https://issuer.test')
      }
      // Tampered payload: refused.
      const [h, , s] = token.split('.')
      const forged = `${h}.${Buffer.from(JSON.stringify(claims({ sub: 'admin' }))).toString('base64url')}.${s}`
      throwsCode(() => verifierWith(keys[0]).verifyToken(forged, { now: NOW }), 'jwt_signature_invalid')
    })
  }
})

test.describe('portcullis signs, jose verifies', () => {
  for (const alg of ALL) {
    test(alg, async () => {
      const options = { algorithms: [alg], issuer: 'https://issuer.test', audience: 'api', currentDate: new Date(NOW * 1000) }
      if (alg in HMAC) {
        const secret = crypto.randomBytes(HMAC[alg])
        const token = jwtEncode(claims(), JwtKey.fromSecret(secret, alg, 'k1'))
        const { payload, protectedHeader } = await jose.jwtVerify(token, new Uint8Array(secret), options)
        assert.equal(payload.sub, 'user-1')
        assert.deepEqual(protectedHeader, { alg, kid: 'k1', typ: 'JWT' })
        return
      }
      // A generated key, checked by jose through its public JWK and through its private PEM.
      const generated = JwtKey.generate(alg)
      const token = jwtEncode(claims(), generated)
      const fromJwk = await jose.importJWK(generated.publicJwk(), alg)
      const { payload, protectedHeader } = await jose.jwtVerify(token, fromJwk, options)
      assert.equal(payload.sub, 'user-1')
      assert.equal(protectedHeader.kid, generated.kid)
      const pub = crypto.createPublicKey(crypto.createPrivateKey(generated.privatePem()))
      await jose.jwtVerify(token, pub, options)
      // A key made by node:crypto, imported as PEM and as a private JWK.
      const { publicKey, privateKey } = keyPair(...NODE_KEYS[alg])
      for (const key of [
        JwtKey.fromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }), alg, 'n1'),
        JwtKey.fromDer(privateKey.export({ type: 'pkcs8', format: 'der' }), alg, 'n1'),
        JwtKey.fromJwk(JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: 'n1' }), alg),
      ]) {
        const signed = jwtEncode(claims(), key, { typ: 'at+jwt' })
        const result = await jose.jwtVerify(signed, publicKey, { ...options, typ: 'at+jwt' })
        assert.equal(result.protectedHeader.kid, 'n1')
      }
    })
  }
})

// ---- keys ---------------------------------------------------------------------------------

test('generated keys of each family round trip through PEM and JWK', () => {
  for (const alg of ASYMMETRIC) {
    const key = JwtKey.generate(alg)
    assert.equal(key.algorithm, alg)
    assert.equal(key.canSign, true)
    assert.equal(key.kid, key.thumbprint())
    const jwk = key.publicJwk()
    assert.equal(jwk.alg, alg)
    assert.equal(jwk.use, 'sig')
    assert.equal(jwk.d, undefined, 'no private member in a public JWK')
    assert.equal(jwkThumbprint(jwk), key.thumbprint())
    const pub = JwtKey.fromJwk(jwk)
    assert.equal(pub.canSign, false)
    assert.equal(pub.algorithm, alg)
    assert.equal(pub.kid, key.kid)
    const again = JwtKey.fromPem(key.privatePem(), alg, 'again')
    assert.equal(again.thumbprint(), key.thumbprint())
    assert.equal(again.kid, 'again')
    // What one signs, the other (public) verifies; the public key cannot sign.
    const token = jwtEncode(claims(), again)
    assert.equal(verifierWith(pub, again).verifyToken(token, { now: NOW }).credentialId, 'again')
    throwsCode(() => jwtEncode(claims(), pub), 'jwt_key_invalid')
    throwsCode(() => pub.privatePem(), 'jwt_key_invalid')
  }
})

test('secrets: no public form, generated ones sign', () => {
  for (const alg of Object.keys(HMAC)) {
    const key = JwtKey.fromSecret(crypto.randomBytes(64), alg)
    assert.equal(key.kid, null)
    assert.equal(key.canSign, true)
    throwsCode(() => key.publicJwk(), 'jwt_key_invalid')
    throwsCode(() => key.thumbprint(), 'jwt_key_invalid')
    throwsCode(() => key.privatePem(), 'jwt_key_invalid')
    const generated = JwtKey.generate(alg)
    assert.equal(generated.kid, null)
    assert.equal(jwtEncode(claims(), generated).split('.').length, 3)
    // The set shares the generated key: tokens it signs verify through the set.
    const set = new JwtKeySet()
    set.insert(generated)
    const verifier = new JwtVerifier(set, CONFIG)
    assert.equal(verifier.verifyToken(jwtEncode(claims(), generated), { now: NOW }).subject, 'user-1')
  }
})

test('key sets: JWKS in and out, remove, keys added later reach the verifier', () => {
  const a = JwtKey.generate('ES256')
  const b = JwtKey.generate('EdDSA')
  const secret = JwtKey.fromSecret(crypto.randomBytes(32), 'HS256', 'hs')
  const keyset = new JwtKeySet()
  const verifier = new JwtVerifier(keyset, { ...CONFIG, allowMixedKeyTypes: true })
  const strict = new JwtVerifier(keyset, CONFIG)
  const token = jwtEncode(claims(), b)
  throwsCode(() => verifier.verifyToken(token, { now: NOW }), 'jwt_key_unknown')
  for (const k of [a, b, secret]) keyset.insert(k)
  assert.equal(keyset.size, 3)
  assert.equal(verifier.verifyToken(token, { now: NOW }).credentialId, b.kid)
  // A secret beside public keys needs the opt-in, also once the set was mixed after the build.
  throwsCode(() => strict.verifyToken(token, { now: NOW }), 'config_invalid')
  throwsCode(() => new JwtVerifier(keyset, CONFIG), 'config_invalid')
  const jwks = keyset.publicJwks()
  assert.deepEqual(jwks.keys.map((k) => k.kid), [a.kid, b.kid], 'secrets are left out')
  const copy = JwtKeySet.fromJwks(JSON.stringify(jwks))
  assert.equal(copy.size, 2)
  assert.equal(new JwtKeySet().addJwks(jwks), 2)
  assert.equal(new JwtVerifier(copy, CONFIG).verifyToken(token, { now: NOW }).subject, 'user-1')
  assert.equal(keyset.remove(b.kid), 1)
  assert.equal(keyset.remove(b.kid), 0)
  throwsCode(() => verifier.verifyToken(token, { now: NOW }), 'jwt_key_unknown')
  throwsCode(() => JwtKeySet.fromJwks('{"keys": 1}'), 'jwt_key_invalid')
  throwsCode(() => JwtKeySet.fromJwks('not json'), 'jwt_key_invalid')
})

// ---- refusals -----------------------------------------------------------------------------

test('alg none and algorithm confusion are refused', () => {
  const rsa = JwtKey.generate('RS256')
  const pem = crypto.createPublicKey(crypto.createPrivateKey(rsa.privatePem())).export({ type: 'spki', format: 'pem' })
  const verifier = verifierWith(JwtKey.fromPem(pem, 'RS256', rsa.kid))
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url')
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    const token = `${b64({ alg, kid: rsa.kid })}.${b64(claims())}.`
    throwsCode(() => verifier.verifyToken(token, { now: NOW }), 'jwt_algorithm_refused')
  }
  // HS256 signed with the RSA public key as the secret: the key's alg is RS256.
  const input = `${b64({ alg: 'HS256', kid: rsa.kid })}.${b64(claims())}`
  const mac = crypto.createHmac('sha256', pem).update(input).digest('base64url')
  throwsCode(() => verifier.verifyToken(`${input}.${mac}`, { now: NOW }), 'jwt_algorithm_refused')
  // And the public key is never accepted as an HMAC secret.
  throwsCode(() => JwtKey.fromSecret(Buffer.from(pem), 'HS256'), 'jwt_key_invalid')
  // An allow-list narrows further.
  const only = new JwtVerifier(new JwtKeySet(), { algorithms: ['ES256'] })
  throwsCode(() => only.verifyToken(jwtEncode(claims(), rsa), { now: NOW }), 'jwt_algorithm_refused')
})

test('request-level verify: challenges, scopes, expiry', () => {
  const key = JwtKey.fromSecret(Buffer.alloc(32, 7), 'HS256', 'k')
  const verifier = new JwtVerifier(new JwtKeySet(), { ...CONFIG, realm: 'demo' })
  const set = new JwtKeySet()
  set.insert(key)
  const v = new JwtVerifier(set, { ...CONFIG, realm: 'demo' })
  const token = jwtEncode(claims({ scope: 'a b' }), key)
  const req = (headers, now = NOW) => new Request({ method: 'GET', target: '/', headers, now })
  assert.equal(v.verify(req([['Authorization', `Bearer ${token}`]]), ['a']).subject, 'user-1')
  assert.throws(() => v.verify(req([])), (e) => e.code === 'credentials_missing' && e.challenge === 'Bearer realm="demo"')
  assert.throws(
    () => v.verify(req([['Authorization', `Bearer ${token}`]]), ['c']),
    (e) => e.code === 'scope_insufficient' && e.httpStatus === 403 && e.challenge === 'Bearer realm="demo", error="insufficient_scope", scope="c"',
  )
  assert.throws(
    () => v.verify(req([['Authorization', `Bearer ${token}`]], NOW + 700)),
    (e) => e.code === 'jwt_expired' && e.category === 'jwt' && e.challenge.includes('error="invalid_token"'),
  )
  throwsCode(() => verifier.verify(req([['Authorization', `Bearer ${token}`]])), 'jwt_key_unknown')
})

test('revocation and the cache', async () => {
  const key = JwtKey.fromSecret(crypto.randomBytes(32), 'HS256', 'k')
  const keyset = new JwtKeySet()
  keyset.insert(key)
  const verifier = new JwtVerifier(keyset, { ...CONFIG, cacheSize: 16 })
  const token = jwtEncode(claims({ jti: 't-1' }), key)
  assert.equal(verifier.verifyToken(token, { now: NOW }).subject, 'user-1')
  assert.equal(verifier.verifyToken(token, { now: NOW + 1 }).subject, 'user-1', 'cached')
  verifier.revoke('t-1', NOW + 600, NOW)
  throwsCode(() => verifier.verifyToken(token, { now: NOW + 2 }), 'jwt_revoked')
  await rejectsCode(verifier.verifyTokenAsync(token, { now: NOW + 2 }), 'jwt_revoked')
  // Removing the key takes effect for cached tokens once the cache is cleared.
  const other = jwtEncode(claims({ jti: 't-2' }), key)
  assert.equal((await verifier.verifyTokenAsync(other, { now: NOW })).subject, 'user-1')
  keyset.remove('k')
  verifier.clearCache()
  throwsCode(() => verifier.verifyToken(other, { now: NOW }), 'jwt_key_unknown')
  throwsCode(() => verifier.revoke('t-3', 1.5), 'invalid_argument')
})

// The payload texts a peer might send: escapes in names and values, numbers JSON writes in
// several ways, nested objects out of order, space between tokens.
const PAYLOAD_TEXTS = [
  `{"sub":"user-1","iss":"https://issuer.test","aud":"api","exp":${NOW + 600},"scope":"a b"}`,
  `{ "aud":"api", "exp" : ${NOW + 600} , "esc\\u0061ped" : "line\\nbreak \\u00e9 \\ud83d\\ude00", "plain": "café", "sub":"s\\"q" }`,
  `{"aud":"api","exp":${NOW + 600},"f":1.5,"e":1e3,"m0":-0,"neg":-3,"huge":123456789012345678901234567890,"tiny":1e-400,"max":9223372036854775807}`,
  `{"exp":${NOW + 600},"z":{"b":1,"a":[1,{"d":2,"c":null}]},"aud":["x","api"],"t":true,"n":null,"scp":["r","w"]}`,
  `{"aud":"api","exp":${NOW + 600},"u64":18446744073709551615}`,
]

test('verifyToken gives the native principal, member for member, whatever the payload text', async () => {
  const secret = crypto.randomBytes(32)
  const keyset = new JwtKeySet()
  keyset.insert(JwtKey.fromSecret(secret, 'HS256'))
  const b64 = (text) => Buffer.from(text).toString('base64url')
  const keysDeep = (v) =>
    Array.isArray(v) ? v.map(keysDeep) : v && typeof v === 'object' ? Object.entries(v).map(([k, x]) => [k, keysDeep(x)]) : v
  for (const cacheSize of [0, 4]) {
    const verifier = new JwtVerifier(keyset, { audiences: ['api'], cacheSize })
    for (const text of PAYLOAD_TEXTS) {
      const input = `${b64('{"alg":"HS256"}')}.${b64(text)}`
      const token = `${input}.${crypto.createHmac('sha256', secret).update(input).digest('base64url')}`
      const fast = verifier.verifyToken(token, { now: NOW })
      const viaRequest = verifier.verify(new Request({ method: 'GET', target: '/', headers: [['Authorization', `Bearer ${token}`]], now: NOW }))
      const viaPool = await verifier.verifyTokenAsync(token, { now: NOW })
      for (const other of [viaRequest, viaPool]) {
        assert.deepStrictEqual(fast, other, text)
        assert.deepStrictEqual(keysDeep(fast), keysDeep(other), text)
      }
      assert.deepStrictEqual(Object.keys(fast.claims), Object.keys(fast.claims).sort(), 'claims in name order')
    }
  }
})

test('verifyJws returns the header and raw payload bytes', () => {
  const key = JwtKey.generate('EdDSA')
  const keyset = new JwtKeySet()
  keyset.insert(key)
  const payload = Buffer.from([0, 1, 2, 255])
  const b64 = (v) => Buffer.from(v).toString('base64url')
  // A non-JSON payload signed by hand with node:crypto.
  const input = `${b64(JSON.stringify({ alg: 'EdDSA', kid: key.kid }))}.${b64(payload)}`
  const sig = crypto.sign(null, Buffer.from(input), crypto.createPrivateKey(key.privatePem())).toString('base64url')
  const jws = new JwtVerifier(keyset).verifyJws(`${input}.${sig}`)
  assert.equal(jws.alg, 'EdDSA')
  assert.equal(jws.kid, key.kid)
  assert.deepEqual(jws.header, { alg: 'EdDSA', kid: key.kid })
  assert.deepEqual(jws.payload, payload)
})

test('jwtEncode header options and claims as text', () => {
  const key = JwtKey.fromSecret(crypto.randomBytes(32), 'HS256', 'k')
  const header = (token) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url'))
  assert.deepEqual(header(jwtEncode('{"sub":"x"}', key)), { alg: 'HS256', kid: 'k', typ: 'JWT' })
  assert.deepEqual(header(jwtEncode({ sub: 'x' }, key, { typ: null, kid: 'other', cty: 'JWT' })), {
    alg: 'HS256',
    cty: 'JWT',
    kid: 'other',
  })
  throwsCode(() => jwtEncode({ exp: 'soon' }, key), 'invalid_argument')
  throwsCode(() => jwtEncode('[1]', key), 'json_invalid')
})

test('the jwt namespace: encode, decode, Verifier, KeySet, Key', () => {
  const { jwt } = portcullis
  assert.equal(jwt.Key, JwtKey)
  assert.equal(jwt.KeySet, JwtKeySet)
  assert.equal(jwt.Verifier, JwtVerifier)
  assert.equal(jwt.encode, jwtEncode)
  const key = jwt.Key.fromSecret(crypto.randomBytes(32), 'HS256', 'k')
  const keyset = new jwt.KeySet()
  keyset.insert(key)
  const token = jwt.encode(claims({ scope: 'a' }), key)
  assert.deepEqual(jwt.decode(token, keyset, { ...CONFIG, now: NOW, scopes: ['a'] }), claims({ scope: 'a' }))
  throwsCode(() => jwt.decode(token, keyset, { now: NOW }), 'jwt_audience_mismatch')
  throwsCode(() => jwt.decode(token, keyset, { ...CONFIG, now: NOW, scopes: ['b'] }), 'scope_insufficient')
  throwsUnknownOption(() => jwt.decode(token, keyset, { ...CONFIG, now: NOW, bogus: 1 }), 'bogus')
})

// ---- argument types and secrets -------------------------------------------------------------

test('wrong argument types are refused without a crash', () => {
  const key = JwtKey.fromSecret(Buffer.alloc(32, 1), 'HS256')
  const keyset = new JwtKeySet()
  assert.throws(() => JwtKey.fromSecret('a string secret of 32 characters!!', 'HS256'))
  assert.throws(() => JwtKey.fromDer('not a buffer', 'ES256'))
  assert.throws(() => JwtKey.fromJwk(42))
  assert.throws(() => JwtKey.fromJwk([1, 2]))
  assert.throws(() => JwtKey.generate(5))
  throwsCode(() => JwtKey.generate('none'), 'invalid_argument')
  throwsCode(() => JwtKey.generate('hs256'), 'invalid_argument')
  throwsCode(() => JwtKey.fromJwk('{"kty":'), 'jwt_key_invalid')
  assert.throws(() => keyset.insert({}))
  assert.throws(() => keyset.addJwks(7))
  assert.throws(() => new JwtVerifier({}))
  throwsUnknownOption(() => new JwtVerifier(keyset, { leeway: 5 }), 'leeway')
  assert.throws(() => new JwtVerifier(keyset, []))
  throwsCode(() => new JwtVerifier(keyset, { leewaySeconds: 301 }), 'config_invalid')
  throwsCode(() => JwtVerifier.fromJson('{"issuer": "x"}', keyset), 'json_invalid')
  const verifier = new JwtVerifier(keyset)
  assert.throws(() => verifier.verifyToken(123))
  throwsCode(() => verifier.verifyToken('a.b.c', { now: 1.5 }), 'invalid_argument')
  assert.throws(() => verifier.verifyToken('a.b.c', { scopes: 'read' }))
  assert.throws(() => jwtEncode(5, key))
  assert.throws(() => jwtEncode({}, {}))
  throwsUnknownOption(() => jwtEncode({}, key, { alg: 'none' }), 'alg')
  assert.throws(() => jwkThumbprint(null))
  throwsCode(() => jwkThumbprint({ kty: 'XYZ' }), 'jwt_key_invalid')
  throwsCode(() => jwkThumbprint('[]'), 'jwt_key_invalid')
})

test('secrets never appear in errors or string forms', () => {
  const marker = 'TOPSECRET-0123456789abcdefghijkl'
  const secret = Buffer.from(marker)
  const key = JwtKey.fromSecret(secret, 'HS256', 'k')
  for (const text of [String(key), util.inspect(key), JSON.stringify(key) ?? '']) {
    assert.ok(!text.includes(marker), text)
  }
  assert.match(String(key), /HS256/)
  const private_ = JwtKey.generate('ES256')
  const d = private_.privatePem()
  for (const text of [String(private_), util.inspect(private_)]) assert.ok(!text.includes(d.split('\n')[1]))
  const k = Buffer.from(marker).toString('base64url')
  const leaks = [
    () => JwtKey.fromSecret(Buffer.from(marker.slice(0, 20)), 'HS256'),
    () => JwtKey.fromJwk({ kty: 'oct', k, alg: 'RS256' }),
    () => JwtKey.fromJwk(`{"kty":"oct","k":"${k}",`),
    () => JwtKey.fromJwk({ kty: 'oct', k: `${k}==` }, 'HS256'),
    () => JwtKeySet.fromJwks({ keys: [{ kty: 'oct', k, alg: 'HS999' }] }),
    () => JwtKey.fromPem(`-----BEGIN PRIVATE KEY-----\n${k}\n-----END PRIVATE KEY-----\n`, 'ES256'),
  ]
  for (const fn of leaks) {
    assert.throws(fn, (err) => {
      for (const text of [err.message, err.detail ?? '', String(err.stack)]) {
        assert.ok(!text.includes(marker) && !text.includes(k), text)
      }
      return true
    })
  }
})
