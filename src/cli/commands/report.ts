/** `medic report <incident-dir|id>`: render the HTML report of a run (or of an incident not yet run). */
import { existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { InputError } from '../../core/errors.js';
import { run } from '../../core/exec.js';
import { silent } from '../../core/progress.js';
import { loadReportRecords, renderHtml } from '../../report/index.js';
import { action, EXIT_OK } from '../action.js';
import { ingestIncident } from '../prelude.js';

interface ReportFlags {
  out?: string;
  open?: boolean;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('Write the self-contained HTML report of an incident')
    .argument(
      '<incident-dir|id>',
      'a run directory (medic replay --out), an incident directory, or an incident id under <work-dir>/runs',
    )
    .option('--out <file>', 'where to write the HTML (default: report.html in the directory)')
    .option('--open', 'open the report in the desktop browser (xdg-open)')
    .action(action(report));
}

async function report(target: string, flags: ReportFlags): Promise<number> {
  const config = loadConfig();
  const dir = locate(target, config.workDir);
  const records = await loadReportRecords(dir);
  // An incident directory that was never run still has evidence worth seeing.
  if (records.evidence === undefined && records.incident.artifacts.length > 0) {
    records.evidence = (await ingestIncident(dir, silent)).evidence;
  }
  const file = resolve(flags.out ?? join(dir, 'report.html'));
  await writeFile(file, renderHtml(records));
  process.stdout.write(`${file}\n`);
  if (flags.open) await run(['xdg-open', file], { timeoutMs: 10_000 }).catch(() => undefined);
  return EXIT_OK;
}

function locate(target: string, workDir: string): string {
  if (existsSync(target) && statSync(target).isDirectory()) return resolve(target);
  const byId = join(workDir, 'runs', target);
  if (existsSync(byId)) return resolve(byId);
  throw new InputError(
    'MEDIC_ERR_INPUT_NOT_FOUND',
    `${target} is neither a directory nor a run under ${join(workDir, 'runs')}`,
  );
}
