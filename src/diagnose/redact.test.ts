// Redaction against the secrets corpus: every secret goes, ordinary text and code stay.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { redact } from './redact.js';

const Corpus = z.object({
  entries: z.array(z.object({ kind: z.string(), text: z.string(), secret: z.string() })),
  benign: z.array(z.string()),
});
const corpus = Corpus.parse(
  JSON.parse(readFileSync(join(import.meta.dirname, '../../test/diagnose/secrets/corpus.json'), 'utf8')),
);

describe('redact', () => {
  it.each(corpus.entries)('removes $kind', ({ text, secret }) => {
    const r = redact(text);
    expect(r.text).not.toContain(secret);
    expect(r.text).toContain('[REDACTED:');
    expect(Object.values(r.found).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('removes every secret when they arrive together, in one multi-line text', () => {
    const all = corpus.entries.map((e) => e.text).join('\n');
    const r = redact(all);
    for (const e of corpus.entries) expect(r.text).not.toContain(e.secret);
  });

  it.each(corpus.benign)('leaves ordinary text alone: %s', (text) => {
    expect(redact(text)).toEqual({ text, found: {} });
  });

  it('is idempotent: redacting twice finds nothing new', () => {
    const once = redact(corpus.entries.map((e) => e.text).join('\n')).text;
    expect(redact(once)).toEqual({ text: once, found: {} });
  });

  it('keeps the user and host of a connection string', () => {
    expect(redact('postgres://orders:pw-Fake-1@db:5432/x').text).toBe(
      'postgres://orders:[REDACTED:url-credentials]@db:5432/x',
    );
  });
});
