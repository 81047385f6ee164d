'use strict'
// Every exported function of the binding catches panics (#[napi(catch_unwind)]): napi-rs calls it
// through `extern "C"` and, without the attribute, a panic would abort the Node process
// (test/fault.test.js forces one). This reads the sources, so a new function without the
// attribute fails here rather than in production.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const SRC = path.join(__dirname, '..', 'src')

function exportedFunctionsWithoutCatchUnwind(file) {
  const lines = fs.readFileSync(path.join(SRC, file), 'utf8').split('\n')
  const missing = []
  for (let i = 0; i < lines.length; i++) {
    const stripped = lines[i].trim()
    if (!/^#\[napi(\(|\])/.test(stripped)) continue
    // A parameter's attribute (`#[napi(ts_arg_type = ...)] name: Type`).
    if (stripped.startsWith('#[napi(') && stripped.includes(')]') && !stripped.endsWith(')]')) continue
    let end = i
    if (!stripped.endsWith(')]') && stripped !== '#[napi]') {
      while (end < lines.length - 1 && !lines[end].trimEnd().endsWith(')]')) end++
    }
    let item = end + 1
    while (item < lines.length && (/^\s*(#\[|\/\/)/.test(lines[item]) || lines[item].trim() === '')) item++
    const isFn = /^\s*(pub(\([^)]*\))?\s+)?(async\s+)?fn\s/.test(lines[item] || '')
    const attribute = lines.slice(i, end + 1).join(' ')
    if (isFn && !attribute.includes('catch_unwind')) missing.push(`${file}:${i + 1}: ${(lines[item] || '').trim()}`)
    i = end
  }
  return missing
}

test('every #[napi] function catches panics', () => {
  const files = fs.readdirSync(SRC).filter((f) => f.endsWith('.rs'))
  assert.ok(files.length > 10, 'the binding sources were not found')
  const missing = files.flatMap(exportedFunctionsWithoutCatchUnwind)
  assert.deepEqual(missing, [], 'add catch_unwind to these #[napi] attributes')
})
