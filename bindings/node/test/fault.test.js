'use strict'
// A panic inside the core is a thrown error or a rejected promise in Node, never an abort of the
// process. `make test-node` builds the binding a second time with the test-only
// `fault-injection` feature (a request for /__portcullis_fault__/panic panics inside the gate's
// check and the generic verifier) and names the .node file in PORTCULLIS_FAULT_NODE. The checks
// run in a child process loading that file (NAPI_RS_NATIVE_LIBRARY_PATH), so the binding the
// other tests load is the normal one, and an abort shows as the child's exit signal.

const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const CHILD = `
const { Gate, Verifier, Request } = require(${JSON.stringify(path.join(__dirname, '..', 'portcullis.js'))})
const secrets = { pepper: 'fault-test-pepper-0123456789abcdef' }
const gate = Gate.fromJson('{"credentials": {"keys": {"method": "api_key", "pepper": "secret:pepper"}}, "routes": [{"path": "/*", "require": "keys"}]}', { secrets })
const verifier = Verifier.fromJson('{"method": "api_key", "pepper": "secret:pepper"}', { secrets })
const boom = new Request({ method: 'GET', target: '/__portcullis_fault__/panic' })
const plain = new Request({ method: 'GET', target: '/orders' })
const outcome = (e) => (e ? (e.code === 'panic' || /forced panic/.test(String(e.message)) ? 'panic' : 'other: ' + e.code + ' ' + e.message) : 'no error')
const sync = (f) => { try { f(); return outcome(null) } catch (e) { return outcome(e) } }
const later = (p) => p.then(() => outcome(null), outcome)
;(async () => {
  const caught = {
    check: sync(() => gate.check(boom)),
    verify: sync(() => verifier.verify(boom)),
    checkAsync: await later(gate.checkAsync(boom)),
    verifyAsync: await later(verifier.verifyAsync(boom)),
  }
  let afterVerify
  try { verifier.verify(plain); afterVerify = 'allowed' } catch (e) { afterVerify = e.code }
  console.log(JSON.stringify({ caught, after: gate.check(plain).status, afterVerify }))
})()
`

test('a panic in the core is an error in Node, never an abort', (t) => {
  const nativePath = process.env.PORTCULLIS_FAULT_NODE
  if (!nativePath) {
    if (process.env.CI === 'true') assert.fail('PORTCULLIS_FAULT_NODE is not set: run the tests through make test-node')
    t.skip('the fault-injection build is made by make test-node (PORTCULLIS_FAULT_NODE)')
    return
  }
  const child = spawnSync(process.execPath, ['-e', CHILD], {
    env: { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: path.resolve(nativePath), RUST_BACKTRACE: '0' },
    encoding: 'utf8',
    timeout: 60_000,
  })
  assert.equal(child.signal, null, `the child was killed by ${child.signal}: ${child.stderr.slice(-2000)}`)
  assert.equal(child.status, 0, child.stderr.slice(-2000))
  const result = JSON.parse(child.stdout.trim().split('\n').pop())
  assert.deepEqual(result, {
    caught: { check: 'panic', verify: 'panic', checkAsync: 'panic', verifyAsync: 'panic' },
    after: 401,
    afterVerify: 'credentials_missing',
  })
})
