/** The report stage: the incident's records rendered as Markdown (report and pull-request body) and HTML. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeRecord } from '../core/records.js';
import { renderHtml } from './html/page.js';
import { RUN_SUMMARY_FILE, type RunSummary } from './load.js';
import { renderMarkdown } from './markdown.js';
import type { ReportRecords } from './records.js';

export { renderHtml } from './html/page.js';
export { loadReportRecords, RUN_SUMMARY_FILE, RunSummary } from './load.js';
export { type MarkdownOptions, renderMarkdown } from './markdown.js';
export { focusPatch, type ReportRecords, type RolloutPlan, type RunOutcome } from './records.js';

/** Writes `report.md`, the self-contained `report.html` and `run.json` into `outDir`; returns the reports. */
export async function writeReport(outDir: string, records: ReportRecords): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const markdown = join(outDir, 'report.md');
  const html = join(outDir, 'report.html');
  await writeFile(markdown, renderMarkdown(records));
  await writeFile(html, renderHtml(records));
  const summary: RunSummary = { outcome: records.outcome, timings: records.timings ?? {} };
  await writeRecord(join(outDir, RUN_SUMMARY_FILE), summary);
  return [markdown, html];
}
