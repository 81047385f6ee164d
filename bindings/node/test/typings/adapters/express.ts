// Type-checked by test/typings.test.js (tsc --noEmit, with @types/node and @types/express): the
// Express adapter as a user writes it.
import express, { Request as ExpressRequest, Response, NextFunction } from 'express'
import { Gate, GateDecision } from '../../../portcullis'
import { authenticate, denialHandler, keepRawBody, AuthDenied, AuthenticateOptions } from '../../../express'

const gate = Gate.fromFile('gate.toml')
const app = express()
app.use(express.json({ verify: keepRawBody }))
app.use(authenticate(gate))
app.get('/orders/:id', authenticate(gate, { scopes: ['orders:read'], required: false, maxBodyBytes: 4096, now: () => 5 }), (req: ExpressRequest, res: Response) => {
  const decision: GateDecision | undefined = req.auth
  const raw: Buffer | undefined = req.rawBody
  res.json({ who: decision?.principal?.subject ?? null, bytes: raw?.length ?? 0, id: req.params.id })
})
app.use((err: unknown, req: ExpressRequest, res: Response, next: NextFunction) => {
  if (err instanceof AuthDenied) {
    const status: number = err.status
    const headers: Array<[string, string]> = err.headers
    const code: string | null = err.code
    const problem: string | null = err.problem
    const d: GateDecision = err.decision
    console.log(status, err.statusCode, headers, code, problem, d.route)
  }
  next(err)
})
app.use(denialHandler())
const options: AuthenticateOptions = { now: 1 }
console.log(options)
// @ts-expect-error scopes are strings
authenticate(gate, { scopes: [1] })
// @ts-expect-error an unknown option
authenticate(gate, { scope: ['x'] })
// @ts-expect-error a Gate, not its configuration
authenticate('gate.toml')
// @ts-expect-error AuthDenied is made by the adapter
new AuthDenied()
