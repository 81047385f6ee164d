import { JwksClient, JwtKey, JwtKeySet, JwtVerifier, JwtVerifierOptions, jwtEncode } from './index'

/** `jwtEncode`. */
export declare const encode: typeof jwtEncode
/**
 * Verifies `token` against `keyset` (a `JwtKeySet` or a warm `JwksClient`: this runs on the
 * calling thread) and returns its claims. `options` holds the verification time and required
 * scopes (`now`, `scopes`) and any `JwtVerifier` option.
 */
export declare function decode(
  token: string,
  keyset: JwtKeySet | JwksClient,
  options?: JwtVerifierOptions & { now?: number; scopes?: Array<string> },
): Record<string, any>
export { JwtVerifier as Verifier, JwtKeySet as KeySet, JwtKey as Key, JwksClient }
