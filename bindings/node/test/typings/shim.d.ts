// Minimal stand-ins for @types/node (not installed here).
declare class Buffer extends Uint8Array {}
declare class Headers { get(name: string): string | null; constructor() }
declare module 'node:http' {
  interface IncomingHttpHeaders { [name: string]: string | string[] | undefined }
  class IncomingMessage { headers: IncomingHttpHeaders; rawHeaders: string[] }
}
declare const console: { log(...a: unknown[]): void }
