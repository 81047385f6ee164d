// Type-checked by test/typings.test.js (tsc --noEmit): the typings of verifyPayload and
// headerNames as a user writes them.
import { WebhookVerifier, Principal, WebhookHeaders, VerifyPayloadOptions } from '../../portcullis'
import * as http from 'node:http'
const v = new WebhookVerifier({ secrets: ['whsec_x'] })
const names: string[] = v.headerNames()
declare const req: http.IncomingMessage
declare const body: Buffer
const p1: Principal = v.verifyPayload(body, req.headers)
const p2: Principal = v.verifyPayload('text', new Headers(), { now: 5 })
const p3 = v.verifyPayload(new Uint8Array(2), new Map([['a', 'b']]))
const p4 = v.verifyPayload(body, [['webhook-id', 'x']])
const p5 = v.verifyPayload(body, req.rawHeaders)
const o: VerifyPayloadOptions = {}
const h: WebhookHeaders = { 'webhook-id': ['a'] }
// @ts-expect-error a number is no body
v.verifyPayload(5, {})
// @ts-expect-error now is a number
v.verifyPayload(body, {}, { now: '5' })
console.log(names, p1, p2, p3, p4, p5, o, h)
