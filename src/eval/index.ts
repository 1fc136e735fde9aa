/** `medic eval`: every fixture incident through the pipeline, scored against its expected.json. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { MedicConfig } from '../core/config.js';
import { InputError, isMedicError } from '../core/errors.js';
import { loadExpected, loadIncidentDir } from '../core/incident-dir.js';
import type { Progress } from '../core/progress.js';
import { type RunState, runPipeline } from '../pipeline.js';
import { type EvalRow, type EvalTotals, scoreRun, totals } from './score.js';
import { renderEvalMarkdown } from './table.js';

export { type EvalRow, type EvalTotals, locationMatches, percentile, sameFunction } from './score.js';

export interface EvalOptions {
  corpusDir: string;
  outDir: string;
  provider: 'rules' | 'llm';
  config: MedicConfig;
  onProgress?: Progress;
}

export interface EvalResult {
  rows: EvalRow[];
  totals: EvalTotals;
  markdown: string;
  files: string[];
}

/** Incident directories of a corpus: subdirectories holding incident.json and expected.json. */
export function corpusIncidents(corpusDir: string): string[] {
  const dir = resolve(corpusDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError('MEDIC_ERR_INPUT_NOT_FOUND', `corpus directory ${corpusDir} does not exist`);
  }
  const found = readdirSync(dir)
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => existsSync(join(path, 'incident.json')) && existsSync(join(path, 'expected.json')));
  if (found.length === 0) {
    throw new InputError(
      'MEDIC_ERR_INPUT_NOT_FOUND',
      `${corpusDir} holds no incident with incident.json and expected.json`,
    );
  }
  return found;
}

export async function runEval(options: EvalOptions): Promise<EvalResult> {
  const progress = options.onProgress ?? (() => {});
  const rows: EvalRow[] = [];
  for (const path of corpusIncidents(options.corpusDir)) {
    const expected = await loadExpected(path);
    const id = basename(path);
    if (expected === undefined) continue;
    progress(`${id}: running`);
    let state: RunState | undefined;
    let error: string | undefined;
    try {
      const source = await loadIncidentDir(path);
      state = await runPipeline(source, {
        outDir: join(options.outDir, id),
        provider: options.provider,
        config: options.config,
      });
    } catch (caught) {
      // A measurement: one incident's failure is a row, not the end of the run.
      error = isMedicError(caught) ? `${caught.code}: ${caught.message}` : String(caught);
    }
    const row = scoreRun(id, state, expected, error);
    rows.push(row);
    progress(
      `${id}: class ${row.classRight ? 'right' : 'wrong'}, ${row.verified ? 'verified' : 'not verified'}`,
    );
  }
  const total = totals(rows);
  const markdown = renderEvalMarkdown(rows, total, options.provider);
  await mkdir(options.outDir, { recursive: true });
  const jsonFile = join(options.outDir, 'eval.json');
  const mdFile = join(options.outDir, 'eval.md');
  await writeFile(
    jsonFile,
    `${JSON.stringify({ provider: options.provider, rows, totals: total }, null, 2)}\n`,
  );
  await writeFile(mdFile, markdown);
  return { rows, totals: total, markdown, files: [jsonFile, mdFile] };
}
