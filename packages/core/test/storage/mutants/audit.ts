import type { AuditEventRecord, AuditListAllOptions } from '../../../src/storage/types/audit.js';
import { type Mutant, mutant, shared } from './mutant.js';

const EVERY_USER = 'listAll lists every user’s events newest first';
const PAGES = 'listAll pages with limit and an exclusive beforeSequence';
const OF_TYPE = 'listAll of a type lists only that type';

/** `options` without the keys `drop` names. */
function without(
  options: AuditListAllOptions,
  ...drop: readonly ('beforeSequence' | 'type')[]
): AuditListAllOptions {
  const out: { limit: number; beforeSequence?: number; type?: string } = { ...options };
  for (const key of drop) delete out[key];
  return out;
}

/** Mutants of `audit.listAll`. */
export const AUDIT_MUTANTS: readonly Mutant[] = [
  mutant('audit: listAll ignores type', [OF_TYPE], (m) => ({
    audit: { ...m.audit, listAll: (options) => m.audit.listAll(without(options, 'type')) },
  })),
  mutant('audit: listAll matches a type by prefix, ignoring case', [OF_TYPE], (m) => ({
    audit: {
      ...m.audit,
      async listAll(options) {
        const { limit, type } = options;
        const all = await m.audit.listAll({ ...without(options, 'type'), limit: 1e9 });
        const wanted = type?.toLowerCase();
        return all
          .filter((e) => wanted === undefined || e.type.toLowerCase().startsWith(wanted))
          .slice(0, limit);
      },
    },
  })),
  mutant('audit: listAll includes beforeSequence itself', [PAGES], (m) => ({
    audit: {
      ...m.audit,
      listAll: ({ beforeSequence, ...rest }) =>
        m.audit.listAll(
          beforeSequence === undefined ? rest : { ...rest, beforeSequence: beforeSequence + 1 },
        ),
    },
  })),
  mutant('audit: listAll ignores beforeSequence', [PAGES], (m) => ({
    audit: {
      ...m.audit,
      listAll: (options) => m.audit.listAll(without(options, 'beforeSequence')),
    },
  })),
  mutant('audit: listAll ignores limit', [PAGES], (m) => ({
    audit: { ...m.audit, listAll: (options) => m.audit.listAll({ ...options, limit: 1e9 }) },
  })),
  mutant('audit: listAll returns only the newest event’s user', [EVERY_USER], (m) => ({
    audit: {
      ...m.audit,
      async listAll(options) {
        const [newest] = await m.audit.listAll({ ...options, limit: 1 });
        return newest === undefined ? [] : m.audit.list(newest.userId, without(options, 'type'));
      },
    },
  })),
  mutant('audit: listAll oldest first', [EVERY_USER, PAGES], (m) => ({
    audit: {
      ...m.audit,
      listAll: async (options) => (await m.audit.listAll(options)).reverse(),
    },
  })),
  mutant(
    'audit: listAll keeps a log of its own, which deleteByUser forgets',
    ['listAll no longer lists the events deleteByUser removed'],
    (m) => {
      const log: AuditEventRecord[] = [];
      return {
        audit: {
          ...m.audit,
          async append(event) {
            const sequence = await m.audit.append(event);
            log.unshift({ ...structuredClone(event), sequence });
            return sequence;
          },
          listAll: async ({ limit, beforeSequence, type }) =>
            structuredClone(
              log
                .filter((e) => beforeSequence === undefined || e.sequence < beforeSequence)
                .filter((e) => type === undefined || e.type === type)
                .slice(0, limit),
            ),
        },
      };
    },
  ),
  mutant('audit: listAll hands out shared objects', ['listAll returns copies'], (m) => ({
    audit: {
      ...m.audit,
      listAll: shared(m.audit.listAll, (options) => JSON.stringify(options)),
    },
  })),
];
