/** The verification checks as a matrix: candidates by checks, each cell an outcome with its time. */
import type { Check, Verification } from '../../core/model.js';
import { esc, formatMs } from './escape.js';

const symbol: Record<Check['outcome'], string> = { pass: '✔', fail: '✖', skipped: '−', error: '!' };

export function checksMatrix(verifications: Verification[]): string {
  if (verifications.length === 0) return '<p class="muted">No verification ran.</p>';
  const names = [...new Set(verifications.flatMap((v) => v.checks.map((c) => c.name)))];
  const longest = Math.max(1, ...verifications.flatMap((v) => v.checks.map((c) => c.durationMs)));
  const head = `<tr><th>candidate</th><th>verdict</th>${names.map((n) => `<th>${esc(n)}</th>`).join('')}</tr>`;
  const rows = verifications.map((v) => {
    const cells = names.map((name) => {
      const c = v.checks.find((k) => k.name === name);
      if (!c) return '<td class="cell none">·</td>';
      const bar = Math.max(2, Math.round((c.durationMs / longest) * 100));
      return (
        `<td class="cell ${c.outcome}" title="${esc(c.command.join(' '))}${c.note ? `\n${esc(c.note)}` : ''}">` +
        `${symbol[c.outcome]} ${formatMs(c.durationMs)}<span class="bar" style="width:${bar}%"></span></td>`
      );
    });
    return `<tr><td>#${v.patchRank}</td><td class="verdict ${v.verdict}">${esc(v.verdict)}</td>${cells.join('')}</tr>`;
  });
  const failures = verifications.flatMap((v) =>
    v.checks
      .filter((c) => c.outcome === 'fail' || c.outcome === 'error')
      .map(
        (c) =>
          `<details open><summary>candidate #${v.patchRank}, ${esc(c.name)}: ${esc(c.note ?? c.outcome)}</summary>` +
          `<pre class="excerpt">${esc(c.excerpt)}</pre></details>`,
      ),
  );
  const isolation = verifications
    .map((v) => `#${v.patchRank}: ${esc(v.isolation.kind)} (${esc(v.isolation.reason)})`)
    .join('; ');
  return `<table class="matrix">${head}${rows.join('')}</table><p class="muted">Isolation ${isolation}</p>${failures.join('')}`;
}
