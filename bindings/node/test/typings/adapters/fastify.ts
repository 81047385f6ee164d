// Type-checked by test/typings.test.js (tsc --noEmit, with @types/node and Fastify's own
// typings): the Fastify plugin as a user writes it, with the module augmentation.
import Fastify, { FastifyRequest } from 'fastify'
import { Gate, GateDecision } from '../../../portcullis'
import portcullis, { PortcullisFastifyOptions, PortcullisRouteConfig } from '../../../fastify'

const gate = Gate.fromFile('gate.toml')
const app = Fastify()
app.register(portcullis, { gate, scopes: ['api'], required: true, maxBodyBytes: 65536, hook: 'preHandler', now: 5 })
app.get('/orders/:id', { config: { portcullis: { scopes: ['orders:read'], required: false } } }, async (request: FastifyRequest) => {
  const decision: GateDecision | null = request.auth
  const raw: Buffer | null = request.rawBody
  return { who: decision?.principal?.subject ?? null, bytes: raw?.length ?? 0 }
})
app.get('/health', { config: { portcullis: false } }, async () => 'ok')
const options: PortcullisFastifyOptions = { gate }
const skip: PortcullisRouteConfig = false
console.log(options, skip)
// @ts-expect-error the gate is required
app.register(portcullis, {})
// @ts-expect-error hook names a check point
app.register(portcullis, { gate, hook: 'onSend' })
// @ts-expect-error route scopes are strings
app.get('/x', { config: { portcullis: { scopes: 'a' } } }, async () => 'x')
// @ts-expect-error request.auth is a decision
const wrong: string = ({} as FastifyRequest).auth
console.log(wrong)
