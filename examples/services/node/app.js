'use strict'
// The demo's Express service: every request is decided by the gate of
// examples/services/gate.toml through `portcullis/express`.
//
//   node app.js --gate FILE --run-dir DIR --http PORT --https PORT
//
// Listens on 127.0.0.1 only: plain HTTP, and HTTPS with DIR/server.pem and DIR/server-key.pem
// asking for a client certificate but accepting any (or none): the gate verifies the chain the
// adapter hands it, never Node's TLS stack. Relative paths in the gate file (`file:` references,
// `records_file`) start from DIR. An allowed request gets
// {"route":..,"credential":..,"subject":..,"scopes":[..]}; a denial the gate's status, headers
// and problem body (denialHandler).

const fs = require('node:fs')
const http = require('node:http')
const https = require('node:https')
const path = require('node:path')
const { createRequire } = require('node:module')

// Express and the binding live in bindings/node (its node_modules holds Express as a dev
// dependency): resolve from there, so the adapter comes in by its public name.
const fromBinding = createRequire(path.join(__dirname, '..', '..', '..', 'bindings', 'node', 'package.json'))
const express = fromBinding('express')
const { Gate } = fromBinding('portcullis')
const { authenticate, denialHandler } = fromBinding('portcullis/express')

function options(argv) {
  const wanted = { '--gate': 'gate', '--run-dir': 'runDir', '--http': 'http', '--https': 'https' }
  const out = {}
  for (let i = 0; i + 1 < argv.length; i += 2) {
    if (wanted[argv[i]] !== undefined) out[wanted[argv[i]]] = argv[i + 1]
  }
  if (Object.keys(out).length !== 4) {
    process.stderr.write('usage: node app.js --gate FILE --run-dir DIR --http PORT --https PORT\n')
    process.exit(2)
  }
  return out
}

/** The same body as the FastAPI and C services: who called, through which credential. */
function answer(req, res) {
  const decision = req.auth
  const principal = decision.principal
  res.json({
    route: decision.route,
    credential: principal === null ? null : decision.credential,
    subject: principal === null ? null : principal.subject,
    scopes: principal === null ? [] : principal.scopes,
  })
}

function buildApp(gate) {
  const app = express()
  // As strict as the gate's own path rules (docs/GATE.md, "Routers that differ from the gate").
  app.set('case sensitive routing', true)
  app.set('strict routing', true)
  app.disable('x-powered-by')
  app.disable('etag')

  const auth = authenticate(gate)
  app.get('/health', auth, answer)
  app.get('/catalog/*rest', auth, answer)
  // The gate's route requires orders:read already; the option is where a handler asks for more
  // (the gate checks them too: gate.check(request, scopes)).
  app.get('/orders/:id', authenticate(gate, { scopes: ['orders:read'] }), answer)
  app.post('/orders', auth, answer)
  app.get('/reports/:name', auth, answer)
  app.get('/items/:id', auth, answer)
  app.all('/admin/*rest', auth, answer)
  // req.rawBody holds the exact bytes whose signature the gate checked: the event to act on.
  app.post('/webhooks/billing', auth, answer)
  app.all('/partners/*rest', auth, answer)
  app.get('/internal/*rest', auth, answer)
  app.post('/payments/*rest', auth, answer)
  // Everything else still goes to the gate: it refuses what it has no route for (403) and
  // paths it will not read (400), instead of Express answering 404 on its own.
  app.use(auth, answer)
  app.use(denialHandler())
  return app
}

function main() {
  const args = options(process.argv.slice(2))
  let gate
  try {
    gate = Gate.fromToml(fs.readFileSync(args.gate, 'utf8'), { baseDir: args.runDir })
  } catch (err) {
    process.stderr.write(`express-service: ${args.gate}: ${err.code}: ${err.detail ?? err.message}\n`)
    process.exit(1)
  }
  const app = buildApp(gate)
  const tls = {
    cert: fs.readFileSync(path.join(args.runDir, 'server.pem')),
    key: fs.readFileSync(path.join(args.runDir, 'server-key.pem')),
    requestCert: true,
    rejectUnauthorized: false,
  }
  const servers = [
    http.createServer(app).listen(Number(args.http), '127.0.0.1'),
    https.createServer(tls, app).listen(Number(args.https), '127.0.0.1'),
  ]
  process.stderr.write(`express-service: http://127.0.0.1:${args.http} and https://127.0.0.1:${args.https}, gate ${args.gate}\n`)
  const stop = () => {
    for (const server of servers) {
      server.close()
      server.closeAllConnections()
    }
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main()
