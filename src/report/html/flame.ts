/**
 * Flame graphs as inline SVG (icicle layout, root on top): one for a profile's call tree and a
 * differential one built from the stacks whose value grew between two profiles (leaks).
 */
import { packageLocalName } from '../../core/go-names.js';
import type { FlameNode, StackGrowth } from '../../core/model.js';
import { esc } from './escape.js';

const WIDTH = 1160;
const ROW = 18;

interface Box {
  node: FlameNode;
  x: number;
  depth: number;
  width: number;
}

export function flameSvg(root: FlameNode, options: { title: string; unit: string; id: string }): string {
  const boxes: Box[] = [];
  const scale = root.value > 0 ? WIDTH / root.value : 0;
  const walk = (node: FlameNode, x: number, depth: number) => {
    const width = node.value * scale;
    if (width < 0.5) return;
    boxes.push({ node, x, depth, width });
    let cx = x;
    for (const child of node.children) {
      walk(child, cx, depth + 1);
      cx += child.value * scale;
    }
  };
  walk(root, 0, 0);
  const depth = boxes.reduce((m, b) => Math.max(m, b.depth), 0) + 1;
  const height = depth * ROW;
  const rects = boxes.map((b) => {
    const share = root.value > 0 ? ((b.node.value / root.value) * 100).toFixed(1) : '0';
    const label = b.width > 40 ? truncate(packageLocalName(b.node.name), Math.floor(b.width / 7)) : '';
    return (
      `<g class="frame"><title>${esc(b.node.name)}: ${esc(formatValue(b.node.value, options.unit))} (${share} %)</title>` +
      `<rect x="${b.x.toFixed(1)}" y="${b.depth * ROW}" width="${Math.max(b.width - 0.5, 0.5).toFixed(1)}" height="${ROW - 1}" fill="${colour(b.node.name)}"/>` +
      (label ? `<text x="${(b.x + 3).toFixed(1)}" y="${b.depth * ROW + 13}">${esc(label)}</text>` : '') +
      '</g>'
    );
  });
  return (
    `<figure class="flame" id="${esc(options.id)}" data-frames="${boxes.length}"><figcaption>${esc(options.title)}</figcaption>` +
    `<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${esc(options.title)}">${rects.join('')}</svg></figure>`
  );
}

/** A call tree of the grown stacks weighted by how much each grew: where the leak accumulates. */
export function growthTree(stacks: StackGrowth[]): FlameNode {
  const root: FlameNode = { name: 'growth', value: 0, children: [] };
  for (const s of stacks) {
    if (s.delta <= 0) continue;
    root.value += s.delta;
    let node = root;
    // Stacks are leaf first; the tree is root first.
    for (const fn of [...s.stack].reverse()) {
      let child = node.children.find((c) => c.name === fn);
      if (!child) {
        child = { name: fn, value: 0, children: [] };
        node.children.push(child);
      }
      child.value += s.delta;
      node = child;
    }
  }
  return root;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

function formatValue(value: number, unit: string): string {
  if (unit === 'bytes')
    return value >= 1 << 20 ? `${(value / (1 << 20)).toFixed(1)} MiB` : `${(value / 1024).toFixed(1)} KiB`;
  if (unit === 'nanoseconds') return `${(value / 1e6).toFixed(1)} ms`;
  return `${value} ${unit}`;
}

/** Runtime and standard library in cool tones, application code in warm ones, stable per name. */
function colour(name: string): string {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) >>> 0;
  const cool = name.startsWith('runtime.') || !name.includes('.') || !/^[a-z0-9.-]+\.[a-z]+\//.test(name);
  return cool
    ? `hsl(${200 + (hash % 30)}, 35%, ${70 + (hash % 12)}%)`
    : `hsl(${10 + (hash % 40)}, 80%, ${58 + (hash % 14)}%)`;
}
