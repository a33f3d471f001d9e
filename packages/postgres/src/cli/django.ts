import { readFile } from 'node:fs/promises';
import type { SqlClient } from '../client/types.js';
import type { DjangoImportReport } from '../django/import.js';
import { importDjango } from '../django/import.js';
import type { CliIo } from './run.js';

/** What `import-django` needs from the command line. */
export interface ImportDjangoCommand {
  readonly from: SqlClient;
  readonly to: SqlClient;
  readonly schema: string;
  readonly fromSchema: string | undefined;
  readonly userTable: string | undefined;
  readonly columnMapFile: string | undefined;
  readonly secret: string | undefined;
  readonly dryRun: boolean;
  readonly batchSize: number;
  readonly json: boolean;
}

/** Runs the import; progress goes to `io.err` after every batch, the report to `io.out`. */
export async function runImportDjango(command: ImportDjangoCommand, io: CliIo): Promise<void> {
  const columnMap =
    command.columnMapFile === undefined ? undefined : await readColumnMap(command.columnMapFile);
  const report = await importDjango({
    from: command.from,
    to: command.to,
    schema: command.schema,
    ...(command.fromSchema === undefined ? {} : { fromSchema: command.fromSchema }),
    ...(command.userTable === undefined ? {} : { userTable: command.userTable }),
    ...(columnMap === undefined ? {} : { columnMap }),
    ...(command.secret === undefined ? {} : { secret: command.secret }),
    dryRun: command.dryRun,
    batchSize: command.batchSize,
    onProgress: ({ batch, processed, total }) =>
      io.err(`import-django: batch ${batch}, ${processed}/${total} users read`),
  });
  if (command.json) io.out(JSON.stringify(report, null, 2));
  else for (const line of formatReport(report)) io.out(line);
}

async function readColumnMap(file: string): Promise<Record<string, string>> {
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    Array.isArray(parsed) ||
    !Object.values(parsed).every((v) => typeof v === 'string')
  ) {
    throw new Error(`--column-map ${file}: expected a JSON object of column → target strings.`);
  }
  return parsed as Record<string, string>;
}

/** The report as lines for people: counts first, then every item that needs a look. */
export function formatReport(r: DjangoImportReport): string[] {
  const would = r.dryRun ? 'Dry run, nothing written. Would import' : 'Imported';
  const lines = [
    `${would} ${r.imported} of ${r.total} users; ${r.unchanged} unchanged, ${r.diverged.length} changed since an earlier import (left as they are), ${r.skipped.length} skipped, ${r.conflicts.length} conflicts.`,
    `Two-factor: ${r.totpDevicesImported} TOTP devices, ${r.staticTokensImported} static tokens as recovery codes${r.otpTablesFound ? '' : ' (no django-otp tables found)'}.`,
  ];
  if (!r.dryRun && r.imported === 0 && r.unchanged > 0 && r.diverged.length === 0) {
    lines.push('Nothing changed: every user was already imported.');
  }
  lines.push(
    r.unmappedColumns.length === 0
      ? 'Unmapped columns: none.'
      : `Unmapped columns (not copied; map them with --column-map or map to "ignore"): ${r.unmappedColumns.join(', ')}.`,
  );
  for (const s of r.skipped) lines.push(`  skipped: django user ${s.djangoId} (${s.reason})`);
  for (const c of r.conflicts) {
    lines.push(
      `  conflict: ${c.kind} ${c.value}: django users ${c.djangoIds.join(', ')}${
        c.existingId === undefined ? '' : ` and existing user ${c.existingId}`
      } (not imported)`,
    );
  }
  for (const d of r.diverged)
    lines.push(`  changed since import: django user ${d.djangoId} (${d.id})`);
  for (const u of r.usernamesDropped) {
    lines.push(`  username dropped: django user ${u.djangoId} (${JSON.stringify(u.username)})`);
  }
  for (const p of r.passwordsUnusable) {
    lines.push(`  no usable password (can only reset): django user ${p.djangoId} (${p.reason})`);
  }
  for (const d of r.totpDevicesSkipped) {
    lines.push(
      `  TOTP device ${d.deviceId} of django user ${d.djangoUserId} not imported (${d.reason})`,
    );
  }
  for (const t of r.staticTokensSkipped) {
    lines.push(
      `  static token ${t.tokenId} of django user ${t.djangoUserId} not imported (${t.reason})`,
    );
  }
  return lines;
}
