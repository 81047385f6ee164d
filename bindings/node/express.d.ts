// `portcullis/express`: the gate as Express middleware (docs/adapters/node.md). The handler
// types are structural (Node's `IncomingMessage` / `ServerResponse`), so these typings need
// @types/node but not @types/express; with @types/express, `req.auth` and `req.rawBody` are
// typed on `Express.Request` by the augmentation below.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Gate, GateDecision } from './index'

/** How `authenticate` checks requests. */
export interface AuthenticateOptions {
  /**
   * True (the default): a denial goes to `next(err)` as an `AuthDenied`. False: the request
   * continues with the denied decision in `req.auth` (optional authentication). The
   * adapter's own refusals (a body over `maxBodyBytes`, a gate failure) always go to `next`.
   */
  required?: boolean
  /** Scopes required on top of the route's own (checked by the gate: 403 `scope_insufficient`). */
  scopes?: string[]
  /** The largest body read or accepted, in bytes (default 1 MiB); over it: 413. */
  maxBodyBytes?: number
  /** The request time in Unix seconds, or a function giving it (tests); the clock otherwise. */
  now?: number | (() => number)
}

/** What `authenticate` reads from the request (an Express request has all of it). */
export type AuthenticatedRequest = IncomingMessage & {
  originalUrl?: string
  body?: unknown
  /** The body bytes the gate saw (set by `authenticate`, or kept by a parser before it). */
  rawBody?: Buffer
  /** The gate's decision (set by `authenticate`). */
  auth?: GateDecision
}

/** The middleware `authenticate` returns. */
export type AuthenticateMiddleware = (req: AuthenticatedRequest, res: ServerResponse, next: (err?: unknown) => void) => void

/**
 * Express middleware that asks `gate` about each request and sets `req.auth` (the
 * `GateDecision`) and `req.rawBody` (the body bytes the gate saw).
 */
export declare function authenticate(gate: Gate, options?: AuthenticateOptions): AuthenticateMiddleware

/** A refused request, handed to `next(err)`: what to answer with. */
export declare class AuthDenied extends Error {
  private constructor()
  readonly name: 'AuthDenied'
  /** The HTTP status (401, 403, 429, 413, ...). */
  readonly status: number
  /** The same as `status` (the name Express's default handler also reads). */
  readonly statusCode: number
  /** Every header to send, `[name, value]`, in order; a name may repeat (`WWW-Authenticate`). */
  readonly headers: Array<[string, string]>
  /** The refusal's code (`credentials_missing`, `scope_insufficient`, `input_too_large`, ...). */
  readonly code: string | null
  /** The RFC 9457 problem body (JSON text, `application/problem+json`). */
  readonly problem: string | null
  /** The whole decision. */
  readonly decision: GateDecision
  readonly expose: true
}

/**
 * Express error middleware that answers an `AuthDenied` with the gate's status, headers and
 * problem body, and passes anything else on.
 */
export declare function denialHandler(): (err: unknown, req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void

/**
 * A body parser `verify` callback that keeps the exact bytes on `req.rawBody` for the gate:
 * `app.use(express.json({ verify: keepRawBody }))` before `authenticate`.
 */
export declare function keepRawBody(req: IncomingMessage, res: ServerResponse, buf: Buffer): void

declare global {
  // Merged into @types/express's `Express.Request` when the application uses it.
  namespace Express {
    interface Request {
      /** The gate's decision (set by portcullis' `authenticate`). */
      auth?: GateDecision
      /** The body bytes the gate saw (set by portcullis' `authenticate`). */
      rawBody?: Buffer
    }
  }
}
