/** The failure (message, crashed goroutine, buckets), the root cause and its evidence chain linked to the evidence. */
import type { Diagnosis, Evidence, Failure, Frame } from '../../core/model.js';
import { esc } from './escape.js';

export function failureSection(failure: Failure): string {
  const crashed = failure.goroutines.find((g) => g.id === failure.crashedGoroutineId);
  const frames = (list: Frame[]) =>
    list
      .slice(0, 12)
      .map(
        (f) =>
          `<li class="${esc(f.kind)}"><code>${esc(f.function)}</code> <span class="muted">${esc(f.repoFile ?? f.file)}:${f.line}</span></li>`,
      )
      .join('');
  const buckets = failure.buckets.length
    ? `<table class="buckets"><tr><th>goroutines</th><th>state</th><th>top frame</th></tr>${failure.buckets
        .slice(0, 20)
        .map(
          (b) =>
            `<tr><td>${b.ids.length}</td><td>${esc(b.state)}</td><td><code>${esc(b.frames[0]?.function ?? '?')}</code></td></tr>`,
        )
        .join('')}</table>`
    : '';
  return (
    `<p><b>${esc(failure.class)}</b> (${esc(failure.kind)}): <code class="untrusted">${esc(failure.message)}</code></p>` +
    (crashed
      ? `<p>Goroutine ${crashed.id} [${esc(crashed.state)}] crashed:</p><ol class="frames">${frames(crashed.frames)}</ol>`
      : '') +
    `<p class="muted">${failure.goroutines.length} goroutines; signature <code>${esc(failure.signature)}</code></p>${buckets}`
  );
}

export function rootCauseSection(d: Diagnosis, evidence: Evidence | undefined): string {
  const chain = d.evidenceChain
    .map((link) => {
      const item = evidence?.items.find((i) => i.id === link.evidenceId);
      const target = item ? `<a href="#${esc(item.id)}">${esc(item.id)}</a>` : esc(link.evidenceId);
      return `<li>${target}: ${esc(link.claim)}</li>`;
    })
    .join('');
  const by =
    d.provider === 'llm'
      ? `LLM ${d.model ?? ''}, prompt ${d.promptVersion ?? '?'}`
      : `rules ${d.ruleVersion ?? ''}`;
  return (
    `<p class="verdict-line"><b>${esc(d.rootCauseClass)}</b> at <code>${esc(d.location.file)}:${d.location.line}</code> in <code>${esc(d.location.function)}</code></p>` +
    `<p>${esc(d.summary)}</p><dl><dt>Mechanism</dt><dd>${esc(d.mechanism)}</dd><dt>Counterfactual</dt><dd>${esc(d.counterfactual)}</dd>` +
    `<dt>Fix strategy</dt><dd>${esc(d.fixStrategy)}${d.otherStrategies.length ? ` (then ${d.otherStrategies.map(esc).join(', ')})` : ''}</dd>` +
    `<dt>Confidence</dt><dd>${d.confidence.toFixed(2)} (${esc(by.trim())})</dd></dl><h3>Evidence chain</h3><ol class="chain">${chain}</ol>`
  );
}

export function evidenceList(evidence: Evidence): string {
  const items = evidence.items
    .map(
      (i) =>
        `<li id="${esc(i.id)}"><b>${esc(i.id)}</b> <span class="tag">${esc(i.source)}</span> ${esc(i.summary)}` +
        `${i.artifact ? ` <span class="muted">(${esc(i.artifact)})</span>` : ''}</li>`,
    )
    .join('');
  const suspects = evidence.suspects
    .slice(0, 5)
    .map(
      (s) =>
        `<li><code>${esc(s.location.file)}:${s.location.line}</code> <code>${esc(s.location.function)}</code> score ${s.score.toFixed(2)}: ` +
        `${s.reasons.map((r) => `${esc(r.detail)} (${esc(r.evidenceId)})`).join('; ')}</li>`,
    )
    .join('');
  const sig = evidence.signals;
  return (
    `<p>Signals: panic ${sig.panicScore.toFixed(2)}, pprof entropy ${sig.pprofEntropy.toFixed(2)}, trace jitter ${sig.traceJitter.toFixed(2)}</p>` +
    `<ul class="evidence">${items}</ul>${suspects ? `<h3>Suspects</h3><ol>${suspects}</ol>` : ''}`
  );
}
