import type { AuditEventRecord, AuditListAllOptions, AuditStore } from '../types/audit.js';
import { copy } from './copy.js';

/** How many of `events` (in increasing sequence) come before `beforeSequence`: a binary search. */
function countBefore(events: readonly AuditEventRecord[], beforeSequence?: number): number {
  if (beforeSequence === undefined) return events.length;
  let [low, high] = [0, events.length];
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((events[mid]?.sequence ?? Number.POSITIVE_INFINITY) < beforeSequence) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Copies of the events of `events` (in increasing sequence) before `beforeSequence`, newest
 * first, at most `limit`, only those of `type` when given.
 */
function newestFirst(
  events: readonly AuditEventRecord[],
  { limit, beforeSequence, type }: AuditListAllOptions,
): AuditEventRecord[] {
  const out: AuditEventRecord[] = [];
  for (let i = countBefore(events, beforeSequence) - 1; i >= 0 && out.length < limit; i -= 1) {
    const event = events[i];
    if (event !== undefined && (type === undefined || event.type === type)) out.push(copy(event));
  }
  return out;
}

/**
 * The audit store of `memoryStorage()`: events in append order, numbered by one counter for
 * the whole store, kept once per user (`list`) and once for all users (`listAll`).
 */
export function memoryAuditStore(): AuditStore {
  const byUser = new Map<string, AuditEventRecord[]>();
  let all: AuditEventRecord[] = [];
  let lastSequence = 0;

  return {
    async append(event) {
      lastSequence += 1;
      const record: AuditEventRecord = { ...copy(event), sequence: lastSequence };
      const events = byUser.get(event.userId);
      if (events === undefined) byUser.set(event.userId, [record]);
      else events.push(record);
      all.push(record);
      return record.sequence;
    },

    // Only the options of `list`: an object that also has a `type` is not filtered by it.
    list: async (userId, { limit, beforeSequence }) =>
      newestFirst(byUser.get(userId) ?? [], {
        limit,
        ...(beforeSequence === undefined ? {} : { beforeSequence }),
      }),

    listAll: async (options) => newestFirst(all, options),

    async deleteByUser(userId) {
      if (byUser.delete(userId)) all = all.filter((e) => e.userId !== userId);
    },
  };
}
