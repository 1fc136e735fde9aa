/** The eBPF event timeline as inline SVG: one lane per goroutine, events as ticks, the panic in red. */
import type { TraceFeatures } from '../../core/model.js';
import { esc } from './escape.js';

const WIDTH = 1160;
const LANE = 22;
const LABEL = 110;
const colours: Record<string, string> = {
  panic: '#d62828',
  'goroutine-create': '#2a9d8f',
  'gc-start': '#8d99ae',
  'user-function': '#f4a261',
};

export function timelineSvg(trace: TraceFeatures, maxLanes = 24): string {
  const lanes = [...trace.timelines]
    .sort(
      (a, b) =>
        Number(b.goid === trace.panic?.goid) - Number(a.goid === trace.panic?.goid) || a.goid - b.goid,
    )
    .slice(0, maxLanes);
  const times = lanes.flatMap((l) => l.events.map((e) => e.timeNs));
  if (times.length === 0) return '<p class="muted">The trace holds no per-goroutine events.</p>';
  const t0 = Math.min(...times);
  const span = Math.max(Math.max(...times) - t0, 1);
  const x = (t: number) => LABEL + ((t - t0) / span) * (WIDTH - LABEL - 10);
  const rows = lanes.map((lane, i) => {
    const y = i * LANE;
    const ticks = lane.events.map(
      (e) =>
        `<g class="event"><title>${esc(e.probe)}${e.function ? ` ${esc(e.function)}` : ''} at +${((e.timeNs - t0) / 1e6).toFixed(3)} ms</title>` +
        `<rect x="${x(e.timeNs).toFixed(1)}" y="${y + 4}" width="${e.probe === 'panic' ? 5 : 3}" height="${LANE - 8}" fill="${colours[e.probe] ?? '#555'}"/></g>`,
    );
    const parent = lane.parentGoid === undefined ? '' : ` ← ${lane.parentGoid}`;
    return (
      `<text x="4" y="${y + 15}" class="lane">g${lane.goid}${esc(parent)}</text>` +
      `<line x1="${LABEL}" x2="${WIDTH - 10}" y1="${y + LANE / 2}" y2="${y + LANE / 2}" class="lane-line"/>${ticks.join('')}`
    );
  });
  const height = lanes.length * LANE + 24;
  const axis = `<text x="${LABEL}" y="${height - 6}" class="axis">0 ms</text><text x="${WIDTH - 10}" y="${height - 6}" class="axis" text-anchor="end">+${(span / 1e6).toFixed(1)} ms</text>`;
  const legend = Object.entries(colours)
    .map(([probe, c]) => `<span class="key"><i style="background:${c}"></i>${esc(probe)}</span>`)
    .join(' ');
  return (
    `<figure class="timeline" data-lanes="${lanes.length}"><figcaption>Goroutines as lanes (${trace.generated ? 'generated events' : 'eBPF collector'}); ${legend}</figcaption>` +
    `<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="event timeline">${rows.join('')}${axis}</svg></figure>`
  );
}
