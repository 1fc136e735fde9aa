/** The eval results as a Markdown table (printed and written as eval.md). */
import type { EvalRow, EvalTotals } from './score.js';

const yes = (b: boolean) => (b ? '✔' : '✖');
const ms = (v: number | undefined) => (v === undefined ? '–' : `${(v / 1000).toFixed(1)} s`);
const pct = (v: number) => `${(v * 100).toFixed(0)} %`;

export function renderEvalMarkdown(rows: EvalRow[], total: EvalTotals, provider: string): string {
  const out = [
    `# medic eval (${provider})`,
    '',
    '| incident | class | top-1 | top-3 | verified | checks | ingest | diagnose | patch | verify | tokens | note |',
    '| --- | --- | :-: | :-: | :-: | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    const cls = r.classRight
      ? `✔ ${r.expectedClass}`
      : `✖ ${r.diagnosedClass ?? '–'} (want ${r.expectedClass})`;
    const checks = r.checks
      .map((c) => c.replace(':pass', ' ✔').replace(':fail', ' ✖').replace(':skipped', ' −'))
      .join(', ');
    const t = r.timings;
    out.push(
      `| ${r.id} | ${cls} | ${yes(r.top1)} | ${yes(r.top3)} | ${yes(r.verified)} | ${checks || '–'} | ${ms(t.ingest)} | ${ms(t.diagnose)} | ${ms(t.patch)} | ${ms(t.verify)} | ${r.tokens ?? '–'} | ${(r.note ?? '').replace(/\|/g, '\\|').slice(0, 160)} |`,
    );
  }
  out.push(
    '',
    `**Totals over ${total.incidents} incidents:** class accuracy ${pct(total.classAccuracy)}, ` +
      `localisation top-1 ${pct(total.top1)} / top-3 ${pct(total.top3)}, verified fixes ${pct(total.verifiedRate)}, ` +
      `time to verified patch median ${ms(total.medianTimeToFixMs)} / p95 ${ms(total.p95TimeToFixMs)}` +
      (total.tokens > 0 ? `, ${total.tokens} tokens, $${total.costUsd.toFixed(4)}` : '') +
      '.',
    '',
  );
  return out.join('\n');
}
