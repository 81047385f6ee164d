'use strict'
// Type-checks test/typings/*.ts against the package's typings (index.d.ts as generated,
// webhook.d.ts by hand) with the TypeScript compiler the dev dependencies bring
// (`tsc --noEmit`; @types/node is not needed: shim.d.ts stands in for the little it uses).
// test/typings/adapters/ checks express.d.ts and fastify.d.ts the way an application sees
// them: with @types/node, @types/express and Fastify's own typings (dev dependencies).

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

// Under CI the checks never skip: a missing TypeScript fails them.
const SKIP = tsc || process.env.CI === 'true' ? false : 'typescript not installed'

function typecheck(project) {
  assert.ok(tsc, 'typescript is not installed (npm ci installs it with the dev dependencies)')
  const run = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, ...project, 'tsconfig.json')], { encoding: 'utf8' })
  assert.equal(run.status, 0, `tsc failed:\n${run.stdout}${run.stderr}`)
}

test('the typings accept the documented uses and refuse wrong ones', { skip: SKIP }, () => {
  typecheck(['typings'])
})

test('the Express and Fastify adapter typings, as an application uses them', { skip: SKIP }, () => {
  typecheck(['typings', 'adapters'])
})
