/** A unified diff as HTML with Go syntax highlighting on the code lines. */
import { esc } from './escape.js';

const KEYWORDS = new Set(
  'break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var nil true false make new len cap append panic recover'.split(
    ' ',
  ),
);

// Comments, raw and interpreted strings, runes, numbers, identifiers; anything else passes through.
const TOKEN =
  /(\/\/.*$)|(`[^`]*`|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')|(\b\d[\d_.xXa-fA-F]*\b)|([A-Za-z_]\w*)/g;

export function highlightGo(code: string): string {
  let out = '';
  let last = 0;
  for (const m of code.matchAll(TOKEN)) {
    const index = m.index ?? 0;
    out += esc(code.slice(last, index));
    const [text, comment, string, number, ident] = m;
    if (comment) out += `<span class="c">${esc(comment)}</span>`;
    else if (string) out += `<span class="s">${esc(string)}</span>`;
    else if (number) out += `<span class="n">${esc(number)}</span>`;
    else if (ident && KEYWORDS.has(ident)) out += `<span class="k">${esc(ident)}</span>`;
    else out += esc(text);
    last = index + text.length;
  }
  return out + esc(code.slice(last));
}

export function diffHtml(diff: string): string {
  const rows = diff
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => {
      if (
        line.startsWith('diff --git') ||
        line.startsWith('+++') ||
        line.startsWith('---') ||
        line.startsWith('index ')
      ) {
        return `<span class="meta">${esc(line)}</span>`;
      }
      if (line.startsWith('@@')) return `<span class="hunk">${esc(line)}</span>`;
      const kind = line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : 'ctx';
      return `<span class="${kind}">${esc(line.slice(0, 1))}${highlightGo(line.slice(1))}</span>`;
    });
  return `<pre class="diff">${rows.join('\n')}</pre>`;
}
