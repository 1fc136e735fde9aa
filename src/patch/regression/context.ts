/** The state a regression test is assembled in, and Go literal helpers. */
import type { GoRepo } from '../../lang/go/index.js';
import type { Harvest } from './recorded.js';
import type { ProductionCopy } from './setup.js';

export interface BuildContext {
  repo: GoRepo;
  /** Repository-relative directory of the package the test is written in. */
  dir: string;
  imports: Set<string>;
  harvest: Harvest;
  /** Statements run before the call, in order. */
  setup: string[];
  /** Why each value is what it is (comments in the generated test). */
  notes: string[];
  used: Set<string>;
  /** Copies production set-up into the test (made on first use). */
  copier?: ProductionCopy | undefined;
}

/** A Go string literal for any JS string (lone surrogates are not valid in Go escapes). */
export function goString(s: string): string {
  return JSON.stringify(
    s.replace(/[\uD800-\uDFFF]/g, (c, i: number, all: string) => {
      const code = c.charCodeAt(0);
      const pair = code < 0xdc00 ? all.charCodeAt(i + 1) : all.charCodeAt(i - 1);
      return (code < 0xdc00 ? pair >= 0xdc00 && pair <= 0xdfff : pair >= 0xd800 && pair < 0xdc00)
        ? c
        : '\uFFFD';
    }),
  );
}

/** A raw string literal when the text allows one (readable JSON), else an interpreted one. */
export function goText(s: string): string {
  return /[`\r\uFEFF\0]/.test(s) ? goString(s) : `\`${s}\``;
}

export function fresh(ctx: BuildContext, base: string): string {
  let name = base;
  for (let i = 2; ctx.used.has(name); i++) name = `${base}${i}`;
  ctx.used.add(name);
  return name;
}
