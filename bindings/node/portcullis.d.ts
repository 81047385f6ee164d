export * from './index'
export * as jwt from './jwt'
