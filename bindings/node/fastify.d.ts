// `portcullis/fastify`: the gate as a Fastify plugin (docs/adapters/node.md). Uses Fastify's
// own typings (a peer of the application, not a dependency of portcullis).
import type { FastifyPluginCallback } from 'fastify'
import type { Gate, GateDecision } from './index'

/** How the plugin checks requests. */
export interface PortcullisFastifyOptions {
  /** The gate that decides. */
  gate: Gate
  /**
   * True (the default): a denial is answered with the gate's status, headers and problem
   * body. False: the request continues with the denied decision in `request.auth`. The
   * plugin's own refusals (a body over `maxBodyBytes`, a gate failure) are always answered.
   */
  required?: boolean
  /** Scopes required on every route, on top of the route's own (checked by the gate). */
  scopes?: string[]
  /** The largest body read, in bytes (default 1 MiB); over it: 413. */
  maxBodyBytes?: number
  /** The request time in Unix seconds, or a function giving it (tests); the clock otherwise. */
  now?: number | (() => number)
  /**
   * Where requests are checked: `onRequest` (the default; requests with a body in
   * `preParsing`, once read), `preParsing`, or later (`preValidation`, `preHandler`) so that
   * other hooks run first. The body is read in `preParsing` in every case.
   */
  hook?: 'onRequest' | 'preParsing' | 'preValidation' | 'preHandler'
}

/** A route's `config.portcullis`: `false` to skip the check, or settings for that route. */
export type PortcullisRouteConfig =
  | false
  | {
      /** Scopes required on this route, on top of the plugin's and the gate route's. */
      scopes?: string[]
      /** Overrides the plugin's `required` on this route. */
      required?: boolean
    }

declare const portcullis: FastifyPluginCallback<PortcullisFastifyOptions>
export default portcullis
export { portcullis }

declare module 'fastify' {
  interface FastifyRequest {
    /** The gate's decision; `null` on routes the plugin skips. */
    auth: GateDecision | null
    /** The body bytes the gate saw; `null` when the request had none or was not checked. */
    rawBody: Buffer | null
  }
  interface FastifyContextConfig {
    portcullis?: PortcullisRouteConfig
  }
}
