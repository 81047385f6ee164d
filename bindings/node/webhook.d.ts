import { Principal } from './index'

/** One header value as frameworks hold it: a string, several (a repeated field), or absent. */
export type WebhookHeaderValue = string | Array<string> | undefined

/**
 * The request's headers as the host's framework holds them. Names compare ASCII
 * case-insensitively; only the fields `headerNames()` lists are read.
 * - a plain object: node:http / Express / Fastify `req.headers` (lower-case keys), AWS Lambda
 *   or hand-built objects (any case); an array value is a repeated field;
 * - a WHATWG `Headers` (fetch, undici, Next.js), or any object with `get(name)`;
 * - a `Map` of names to values;
 * - an array of `[name, value]` pairs, or Node's flat `req.rawHeaders` array.
 */
export type WebhookHeaders =
  | Record<string, WebhookHeaderValue>
  | { get(name: string): string | null }
  | Map<string, WebhookHeaderValue>
  | Array<[string, string]>
  | Array<string>

/** When a payload is verified. */
export interface VerifyPayloadOptions {
  /** The receive time, whole Unix seconds; the system clock when absent. */
  now?: number
}

declare module './index' {
  interface WebhookVerifier {
    /**
     * Verifies a webhook from its raw `body` (a Buffer, Uint8Array or ArrayBuffer, used as is;
     * a string is taken as UTF-8) and the request's `headers` as the framework holds them,
     * without building a `Request`: the same decision `verify(request)` makes on a request of
     * the same parts. A field present twice (two values, or two spellings of its name) is
     * refused with `credentials_ambiguous`; CR, LF or NUL in a field the scheme reads with
     * `request_invalid`; a value of the wrong type with `invalid_argument`.
     */
    verifyPayload(body: Uint8Array | ArrayBuffer | string, headers: WebhookHeaders, options?: VerifyPayloadOptions): Principal
  }
}
