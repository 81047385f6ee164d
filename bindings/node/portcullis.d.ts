export * from './index'
export { peerCertificates } from './mtls'
export * as jwt from './jwt'
