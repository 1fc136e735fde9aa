// Pins the parser's exact output on the whole corpus, so performance work cannot change a record.
// The digests in corpus-digests.json were computed from the parser before the performance work; a
// deliberate change of the output (a fix) regenerates them with:
//   MEDIC_UPDATE_DIGESTS=1 npx vitest run src/ingest/traceback/golden.test.ts
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ParseOptions, parseFailures, renderFailures } from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const corpus = join(here, '../../../test/traceback/corpus');
const digestsFile = join(here, 'corpus-digests.json');

const Entry = z.object({ file: z.string(), modulePath: z.string(), repoRoot: z.string().optional() });
const manifest = z
  .array(Entry.passthrough())
  .parse(JSON.parse(readFileSync(join(corpus, 'manifest.json'), 'utf8')));
const Digests = z.record(z.string(), z.string());

/** JSON that also shows keys holding undefined, so a field going missing changes the digest. */
function serialize(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v === undefined ? '\u0000undefined' : v));
}

function digest(text: string, opts: ParseOptions): string {
  const failures = parseFailures(text, opts);
  return createHash('sha256')
    .update(serialize(failures))
    .update('\n')
    .update(renderFailures(failures, 'artifact'))
    .digest('hex');
}

const ALL_LEVELS = ['exact', 'any-pointer', 'any-value'] as const;

/** Every corpus file with its manifest options and all bucket levels, and with default options; then the whole corpus as one stream. */
function compute(): Record<string, string> {
  const out: Record<string, string> = {};
  const texts: string[] = [];
  for (const entry of manifest) {
    const text = readFileSync(join(corpus, entry.file), 'utf8');
    texts.push(text);
    out[`${entry.file} (manifest options)`] = digest(text, {
      artifact: entry.file,
      modulePath: entry.modulePath,
      ...(entry.repoRoot === undefined ? {} : { repoRoot: entry.repoRoot }),
      bucketLevels: ALL_LEVELS,
    });
    out[`${entry.file} (defaults)`] = digest(text, {});
  }
  out['whole corpus as one stream'] = digest(texts.join('\n'), { modulePath: 'example.com/shop' });
  return out;
}

describe('parser output on the corpus', () => {
  const actual = compute();
  if (process.env.MEDIC_UPDATE_DIGESTS === '1') {
    writeFileSync(digestsFile, `${JSON.stringify(actual, null, 2)}\n`);
  }
  const expected = Digests.parse(JSON.parse(readFileSync(digestsFile, 'utf8')));

  it('covers every corpus file', () => {
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  });

  it('is byte-for-byte what it was for every file and option set', () => {
    const changed = Object.keys(expected).filter((k) => actual[k] !== expected[k]);
    expect(changed).toEqual([]);
  });
});
