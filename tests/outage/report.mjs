// The two tables of the outage run. Every request is counted in the phase its request started
// in: `before` (3 s of normal load), `during` the fault, `after` (the 5 s after its end).
const KINDS = ['bearer', 'refresh', 'write', 'signin'];
const LOST_REFRESH = new Set(['REFRESH_TOKEN_REUSED', 'REFRESH_TOKEN_INVALID']);

function statusColumn(record) {
  if (record.status === 0) return record.code === 'CLIENT_TIMEOUT' ? 'timeout' : 'no answer';
  if (record.status >= 200 && record.status < 300) return '2xx';
  if ([401, 429, 503].includes(record.status)) return String(record.status);
  return 'other';
}
const COLUMNS = ['2xx', '401', '429', '503', 'other', 'timeout', 'no answer'];

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const ms = (value) => (value === undefined ? '—' : `${Math.round(value)}`);

export function printTables({
  results,
  records,
  events,
  logs,
  redisReady,
  connectionErrors,
  settings,
}) {
  const byStatus = [];
  const summary = [];
  for (const r of results) {
    const phases = {
      before: [r.startedAt, r.faultStart],
      during: [r.faultStart, r.faultEnd],
      after: [r.faultEnd, r.afterEnd],
    };
    for (const [phase, [from, to]] of Object.entries(phases)) {
      const inPhase = records.filter((x) => x.start >= from && x.start < to);
      for (const kind of KINDS) {
        const mine = inPhase.filter((x) => x.kind === kind);
        if (mine.length === 0) continue;
        const counts = Object.fromEntries(COLUMNS.map((c) => [c, 0]));
        for (const x of mine) counts[statusColumn(x)] += 1;
        const slowest = Math.max(...mine.map((x) => x.end - x.start));
        const perSecond = (mine.length / ((to - from) / 1000)).toFixed(0);
        byStatus.push([
          r.name,
          phase,
          kind,
          perSecond,
          ...COLUMNS.map((c) => counts[c]),
          ms(slowest),
        ]);
      }
    }
    const window = records.filter((x) => x.start >= r.faultStart && x.start < r.afterEnd);
    const recovery = KINDS.map((kind) => {
      const first = records
        .filter(
          (x) => x.kind === kind && x.start >= r.faultEnd && x.status >= 200 && x.status < 300,
        )
        .sort((a, b) => a.end - b.end)[0];
      return first === undefined ? '—' : ms(first.end - r.faultEnd);
    });
    const tokensLost = window.filter(
      (x) =>
        x.kind === 'refresh' &&
        x.status === 401 &&
        LOST_REFRESH.has(x.code) &&
        x.afterFailedRefresh,
    ).length;
    const sessionsLost = new Set(window.filter((x) => x.signedOut).map((x) => x.client)).size;
    const inWindow = (t) => t >= r.faultStart && t < r.afterEnd;
    const reuse = events.filter((e) => e.type === 'refresh.reuse_detected' && inWindow(e.t)).length;
    const answers503 = window.filter((x) => x.status === 503).length;
    const lines503 = logs.filter(
      (l) => inWindow(l.t) && l.fields?.code === 'STORAGE_UNAVAILABLE',
    ).length;
    const ready = redisReady.find((t) => t >= r.faultEnd);
    summary.push([
      r.name,
      r.fault,
      ...recovery,
      r.name === 'redis' && ready !== undefined ? ms(ready - r.faultEnd) : '—',
      tokensLost,
      `${sessionsLost}/${settings.clients}`,
      reuse,
      answers503,
      lines503,
    ]);
  }

  const out = [];
  out.push(
    `clients ${settings.clients} × ${settings.rate} req/s (closed loop); Redis reconnection: ${
      settings.ioredisRetry
        ? "ioredis's default backoff"
        : "createRedis's (reconnectMaxDelayMs 250)"
    }`,
  );
  out.push('');
  out.push('Requests by status (phase = when the request was sent; max ms = slowest answer)');
  out.push(table(['scenario', 'phase', 'kind', 'req/s', ...COLUMNS, 'max ms'], byStatus));
  out.push('');
  out.push(
    `Recovery (ms from the fault's end to the first 2xx of a request sent after it) and losses (fault + ${settings.afterMs / 1000} s after)`,
  );
  out.push(
    table(
      [
        'scenario',
        'fault',
        'bearer',
        'refresh',
        'write',
        'signin',
        'redis ready',
        'tokens lost',
        'sessions lost',
        'reuse_detected',
        '503 answers',
        '503 log lines',
      ],
      summary,
    ),
  );
  out.push('');
  const messages = new Map();
  for (const l of logs) {
    if (l.level !== 'error' && l.level !== 'warn') continue;
    const key = `${l.level}: ${l.message} ${l.fields?.code ?? ''} ${l.fields?.path ?? ''}`.trim();
    messages.set(key, (messages.get(key) ?? 0) + 1);
  }
  out.push('Log lines (warn/error) over the whole run:');
  for (const [key, count] of [...messages].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    out.push(`  ${String(count).padStart(6)}  ${key}`);
  }
  out.push(
    `Connection errors reported: PostgreSQL pool ${connectionErrors.postgres}, Redis ${connectionErrors.redis}`,
  );
  console.log(out.join('\n'));
}
