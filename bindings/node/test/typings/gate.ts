// Type-checked by test/typings.test.js (tsc --noEmit): the gate and the generic Verifier as a
// user writes them.
import { Gate, GateDecision, AuditEvent, AuditBatch, AuditStats, Verifier, Principal, Request, ApiKeyRing } from '../../portcullis'
const events: AuditEvent[] = []
const g: Gate = Gate.fromToml('version = 1', { secrets: { jwt: 'x' }, baseDir: '.', audit: (e: AuditEvent) => { events.push(e) } })
const g2 = Gate.fromJson('{}', { secrets: {} })
const g3 = Gate.fromFile('gate.toml', { audit: (e) => console.log(e.outcome, e.latencyUs, e.requestId) })
let counted = 0
const g4 = Gate.fromJson('{}', { auditBatch: (b) => { counted += b.length } })
const g5 = Gate.fromFile('gate.toml', {
  audit: (e: AuditEvent) => events.push(e),
  auditBatch: (b: AuditBatch) => {
    const first: AuditEvent | undefined = b.at(0)
    for (const e of b) events.push(e)
    const all: AuditEvent[] = [...b]
    console.log(first?.subject, all.length)
  },
})
const req = new Request({ method: 'GET', target: '/', now: 5 })
const d: GateDecision = g.check(req)
const allowed: boolean = d.allowed
const status: number = d.status
const headers: Array<[string, string]> = d.headers
const retry: number | null = d.retryAfter
const who: Principal | null = d.principal
const params: Record<string, string> = d.params
const later: Promise<GateDecision> = g.checkAsync(req)
g.reloadToml('version = 1'); g.reloadJson('{}'); g.reloadFile('gate.toml')
const ring: ApiKeyRing | null = g.apiKeyRing('keys')
const v: Verifier | null = g.verifier('tokens')
const names: string[] = g.credentialNames().concat(g.routeNames())
const stats: AuditStats = g.auditStats()
const failures: number = stats.sinkFailures
const flushed: boolean = g.flushAudit(100) && g.flushAudit()
const schema: string = Gate.schema()
const jwt = Verifier.fromJson('{"method": "jwt"}', { secrets: { jwt: 'x' }, baseDir: '.' })
const hooks = Verifier.fromToml('method = "webhook"')
const method: string = jwt.method
const p: Principal = jwt.verify(req, ['read'])
const pa: Promise<Principal> = hooks.verifyAsync(req)
// @ts-expect-error fromFile takes no baseDir (relative paths start from the file)
Gate.fromFile('gate.toml', { baseDir: '.' })
// @ts-expect-error secrets are strings
Gate.fromToml('', { secrets: { jwt: 5 } })
// @ts-expect-error the audit callback takes an AuditEvent
Gate.fromToml('', { audit: (e: string) => e })
// @ts-expect-error the batch callback takes an AuditBatch, not an array
Gate.fromToml('', { auditBatch: (b: AuditEvent[]) => b })
// @ts-expect-error a batch's length is read-only
Gate.fromToml('', { auditBatch: (b) => { b.length = 0 } })
// @ts-expect-error check takes a Request
g.check({ method: 'GET', target: '/' })
console.log(g2, g3, g4, g5, counted, allowed, status, headers, retry, who, params, later, ring, v, names, failures, flushed, schema, method, p, pa)
