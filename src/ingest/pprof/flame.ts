/** The call tree of a profile for flame graphs, built level by level so only nodes that will be kept are made. */
import type { FlameNode } from '../../core/model.js';
import type { ProfileTables } from './tables.js';

export interface FlameOptions {
  /** Nodes worth less than this share of the total are folded into their parent. Default 0.005. */
  minShare?: number;
  /** Deepest level kept. Default 64. */
  maxDepth?: number;
}

/**
 * A node below the threshold has no child above it, so at each depth at most 1/minShare nodes
 * survive. Building breadth-first with a cursor per sample (walking its frames root-first)
 * touches each sample once per level it survives, never making the millions of nodes a full
 * trie of a large heap profile would hold.
 */
export function flameTree(t: ProfileTables, vi: number, options: FlameOptions = {}): FlameNode {
  const stride = t.sampleTypes.length;
  const nFunc = t.funcName.length;
  let alive: number[] = [];
  let total = 0;
  for (let s = 0; s < t.sampleCount; s++) {
    const v = t.values[s * stride + vi]!;
    if (v === 0 || t.sampleLocStart[s + 1] === t.sampleLocStart[s]) continue;
    total += v;
    alive.push(s);
  }
  const root: FlameNode = { name: 'root', value: total, children: [] };
  const threshold = Math.abs(total) * (options.minShare ?? 0.005);
  // The nodes of the previous level; a sample's `parent` indexes this list.
  let parents: FlameNode[] = [root];
  const parent = new Int32Array(t.sampleCount);
  // Cursor: the location (index into sampleLocs) and the frame within it, from the root end.
  const locCur = new Int32Array(t.sampleCount);
  const frameCur = new Int32Array(t.sampleCount);
  for (const s of alive) {
    const loc = t.sampleLocStart[s + 1]! - 1;
    locCur[s] = loc;
    frameCur[s] = t.locFrameStart[t.sampleLocs[loc]! + 1]! - 1;
  }
  for (let depth = 1; depth <= (options.maxDepth ?? 64) && alive.length > 0; depth++) {
    const sums = new Sums(parents.length * nFunc);
    for (const s of alive)
      sums.add(parent[s]! * nFunc + t.frameFunc[frameCur[s]!]!, t.values[s * stride + vi]!);
    const level: FlameNode[] = [];
    sums.forEach((key, value) => {
      if (Math.abs(value) < threshold) return;
      const node: FlameNode = { name: t.funcName[key % nFunc] ?? '', value, children: [] };
      parents[Math.floor(key / nFunc)]!.children.push(node);
      sums.keep(key, level.length);
      level.push(node);
    });
    const next: number[] = [];
    for (const s of alive) {
      const index = sums.kept(parent[s]! * nFunc + t.frameFunc[frameCur[s]!]!);
      if (index < 0 || !advance(t, s, locCur, frameCur)) continue;
      parent[s] = index;
      next.push(s);
    }
    alive = next;
    parents = level;
  }
  sortChildren(root);
  return root;
}

/** Sums by key: a dense array when the key space is small (the usual case), a Map otherwise. */
class Sums {
  private readonly dense: Float64Array | undefined;
  private readonly sparse = new Map<number, number>();
  /** Key -> index of the node made for it in this level, -1 for folded keys. */
  private readonly index: Int32Array | Map<number, number>;

  constructor(size: number) {
    this.dense = size <= 1 << 22 ? new Float64Array(size) : undefined;
    this.index = this.dense ? new Int32Array(size).fill(-1) : new Map<number, number>();
  }

  keep(key: number, node: number): void {
    if (this.index instanceof Int32Array) this.index[key] = node;
    else this.index.set(key, node);
  }

  kept(key: number): number {
    return this.index instanceof Int32Array ? this.index[key]! : (this.index.get(key) ?? -1);
  }

  add(key: number, value: number): void {
    if (this.dense) this.dense[key]! += value;
    else this.sparse.set(key, (this.sparse.get(key) ?? 0) + value);
  }

  forEach(visit: (key: number, value: number) => void): void {
    if (this.dense) {
      for (let k = 0; k < this.dense.length; k++) if (this.dense[k] !== 0) visit(k, this.dense[k]!);
    } else for (const [k, v] of this.sparse) visit(k, v);
  }
}

/** Moves sample s's cursor one frame towards the leaf; false when the stack ends. */
function advance(t: ProfileTables, s: number, locCur: Int32Array, frameCur: Int32Array): boolean {
  const loc = locCur[s]!;
  if (frameCur[s]! > t.locFrameStart[t.sampleLocs[loc]!]!) {
    frameCur[s] = frameCur[s]! - 1;
    return true;
  }
  if (loc - 1 < t.sampleLocStart[s]!) return false;
  locCur[s] = loc - 1;
  frameCur[s] = t.locFrameStart[t.sampleLocs[loc - 1]! + 1]! - 1;
  return true;
}

function sortChildren(node: FlameNode): void {
  node.children.sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || a.name.localeCompare(b.name));
  for (const child of node.children) sortChildren(child);
}
