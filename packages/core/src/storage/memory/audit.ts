import type { AuditEventRecord, AuditStore } from '../types/audit.js';
import { copy } from './copy.js';

/**
 * The audit store of `memoryStorage()`: events per user in append order, numbered by one
 * counter for the whole store.
 */
export function memoryAuditStore(): AuditStore {
  const byUser = new Map<string, AuditEventRecord[]>();
  let lastSequence = 0;

  return {
    async append(event) {
      lastSequence += 1;
      const record: AuditEventRecord = { ...copy(event), sequence: lastSequence };
      const events = byUser.get(event.userId);
      if (events === undefined) byUser.set(event.userId, [record]);
      else events.push(record);
      return record.sequence;
    },

    async list(userId, { limit, beforeSequence }) {
      const out: AuditEventRecord[] = [];
      const events = byUser.get(userId) ?? [];
      // Appended in increasing sequence, so walking backwards is newest first.
      for (let i = events.length - 1; i >= 0 && out.length < limit; i -= 1) {
        const event = events[i];
        if (event === undefined) continue;
        if (beforeSequence === undefined || event.sequence < beforeSequence) out.push(copy(event));
      }
      return out;
    },

    async deleteByUser(userId) {
      byUser.delete(userId);
    },
  };
}
