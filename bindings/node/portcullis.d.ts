export * from './index'
export { peerCertificates } from './mtls'
export type { WebhookHeaders, WebhookHeaderValue, VerifyPayloadOptions } from './webhook'
export * as jwt from './jwt'
