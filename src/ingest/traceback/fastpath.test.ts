// The shortcuts the parser takes on big dumps do exactly what the general path does: line reading, decoding, recency lists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Recent } from './file-line.js';
import { decodeText, parseFailures } from './index.js';
import { Lines } from './lines.js';

const corpus = join(import.meta.dirname, '../../../test/traceback/corpus');
const pool = readFileSync(join(corpus, 'pool.txt'), 'utf8');

/** Everything a caller can see of the current line. */
function state(L: Lines): unknown {
  return {
    src: L.src === L.text,
    b: L.b,
    e: L.e,
    no: L.no,
    raw: L.raw,
    partial: L.partial,
    next: L.peekRaw(),
  };
}

/** Reads `text` with `next` only, and again taking every line `nextIs` accepts: both must agree line by line. */
function compareReads(text: string, sticky?: string): number {
  const plain = new Lines(text);
  const fast = new Lines(text);
  if (sticky !== undefined) {
    plain.sticky = sticky;
    fast.sticky = sticky;
  }
  let taken = 0;
  while (plain.next()) {
    const line = plain.content();
    if (fast.nextIs(line)) taken++;
    else expect(fast.next()).toBe(true);
    expect(state(fast)).toEqual(state(plain));
  }
  expect(fast.next()).toBe(false);
  return taken;
}

describe('Lines.nextIs', () => {
  it('reads a tab-led line exactly as next does', () => {
    expect(compareReads(pool)).toBeGreaterThan(20);
  });

  it('leaves lines with a carriage return, a missing newline or a sticky prefix to next', () => {
    expect(compareReads(pool.replaceAll('\n', '\r\n'))).toBe(0);
    expect(compareReads('main.f()\n\t/a/b.go:1\r\r\nmain.g()\n\t/a/b.go:1\r\n')).toBe(0);
    expect(compareReads('main.f()\n\t/a/b.go:1 +0x1')).toBe(0);
    expect(compareReads('web-1  | main.f()\nweb-1  | \t/a/b.go:1\n', 'web-1  | ')).toBe(0);
  });

  it('never takes a line that is not the expected one', () => {
    const L = new Lines('main.f()\n\t/a/b.go:12\n\t/a/b.go:1\n');
    L.next();
    expect(L.nextIs('\t/a/b.go:1')).toBe(false);
    expect(L.nextIs('main.f()')).toBe(false);
    expect(L.nextIs('\t/a/b.go:12')).toBe(true);
    expect(L.no).toBe(2);
  });
});

describe('Lines.advance', () => {
  it('leaves what as many calls of next leave, for every run of plain lines in a dump', () => {
    const starts = [0];
    for (let i = pool.indexOf('\n'); i >= 0 && i < pool.length - 1; i = pool.indexOf('\n', i + 1))
      starts.push(i + 1);
    // From each line, take 1 to 4 lines at once (never the last line: advance is for lines known to end).
    for (let from = 0; from + 1 < starts.length; from++) {
      for (let count = 1; count <= 4 && from + count < starts.length; count++) {
        const plain = new Lines(pool);
        const fast = new Lines(pool);
        for (let k = 0; k < from; k++) {
          plain.next();
          fast.next();
        }
        for (let k = 0; k < count; k++) plain.next();
        const end = starts[from + count] as number;
        const last = end - (starts[from + count - 1] as number);
        fast.advance(end, count, last);
        expect(state(fast)).toEqual(state(plain));
      }
    }
  });
});

describe('parsing with the shortcuts', () => {
  it('gives the same records for CRLF and LF text (the shortcut only sees the latter)', () => {
    expect(parseFailures(pool.replaceAll('\n', '\r\n'), { artifact: 'x' })).toEqual(
      parseFailures(pool, { artifact: 'x' }),
    );
  });
});

describe('decodeText', () => {
  it('decodes ASCII and UTF-8 exactly as the UTF-8 decoder does', () => {
    const samples = [
      Buffer.from(pool),
      Buffer.from('panic: café ☕ 🐹\n'),
      Buffer.from([0x70, 0xff, 0xfe, 0x0a, 0xc3]), // invalid UTF-8: replacement characters
      Buffer.alloc(0),
    ];
    for (const bytes of samples) expect(decodeText(bytes)).toBe(bytes.toString('utf8'));
  });
});

describe('Recent', () => {
  it('keeps the last four distinct values, most recent first, each with what went with it', () => {
    const r = new Recent<string, number>();
    for (const v of ['a', 'b', 'c', 'd']) {
      r.use(v);
      r.with[0] = v.charCodeAt(0);
    }
    expect(r.items).toEqual(['d', 'c', 'b', 'a']);
    r.use('b');
    expect(r.items).toEqual(['b', 'd', 'c', 'a']);
    expect(r.with).toEqual([98, 100, 99, 97]);
    r.use('e');
    expect(r.items).toEqual(['e', 'b', 'd', 'c']);
    expect(r.with).toEqual([undefined, 98, 100, 99]);
    r.use('e');
    expect(r.items).toEqual(['e', 'b', 'd', 'c']);
  });
});
