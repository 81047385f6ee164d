'use strict'
// Type-checks test/typings/*.ts against the package's typings (index.d.ts as generated,
// webhook.d.ts by hand) with the TypeScript compiler the dev dependencies bring
// (`tsc --noEmit`; @types/node is not needed: shim.d.ts stands in for the little it uses).

const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

let tsc = null
try {
  tsc = require.resolve('typescript/bin/tsc', { paths: [path.join(__dirname, '..')] })
} catch (_) {
  // not installed
}

test('the typings accept the documented uses and refuse wrong ones', { skip: tsc ? false : 'typescript not installed' }, () => {
  const run = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, 'typings', 'tsconfig.json')], { encoding: 'utf8' })
  assert.equal(run.status, 0, `tsc failed:\n${run.stdout}${run.stderr}`)
})
