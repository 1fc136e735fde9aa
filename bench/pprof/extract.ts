/**
 * The Medic side of the pprof bench, run as its own process: profile in, everything ingest derives
 * from one profile out (top lists with lines, entropy, and the flame tree, which `pprof -top` does not make).
 */
import { readFileSync } from 'node:fs';
import { decodeProfile } from '../../src/ingest/pprof/decode.js';
import { computeFeatures } from '../../src/ingest/pprof/features.js';
import { flameTree } from '../../src/ingest/pprof/flame.js';
import { resolveKind } from '../../src/ingest/pprof/kind.js';

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: extract.ts <profile>\n');
  process.exit(2);
}
const started = performance.now();
const tables = decodeProfile(readFileSync(path), path);
const decoded = performance.now();
const features = computeFeatures(tables, {
  kind: resolveKind(tables, undefined, path),
  artifact: path,
  topN: 10,
});
features.flame = flameTree(
  tables,
  tables.sampleTypes.findIndex((t) => t.type === features.valueType.type),
);
const done = performance.now();
for (const s of features.topCum) process.stdout.write(`${s.cum}\t${s.flat}\t${s.function}\t${s.line}\n`);
process.stderr.write(
  `EXTRACT ${JSON.stringify({ samples: tables.sampleCount, decodeMs: decoded - started, featuresMs: done - decoded, entropy: features.entropy })}\n`,
);
