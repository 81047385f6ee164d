import { AuditEvent } from './index'

/**
 * One batch of a gate's audit events, in submission order, as the `auditBatch` option receives
 * it (at most 4096 events). The events are made from the batch's text when one is first read,
 * each once: a callback that reads only `length` costs no parsing, and `at(i)` twice gives the
 * same object. A batch may be kept and read after the callback returned.
 */
export interface AuditBatch extends Iterable<AuditEvent> {
  /** How many events the batch holds. */
  readonly length: number
  /** The event at `index` (a negative index counts from the end, as `Array.prototype.at`), or `undefined`. */
  at(index: number): AuditEvent | undefined
  [Symbol.iterator](): Iterator<AuditEvent>
}
