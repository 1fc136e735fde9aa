/**
 * Loads the versioned prompt templates of prompts/ (one file per prompt, contract header first),
 * checks their placeholders, and renders them in one pass so data can never expand a placeholder.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PromptTemplate {
  name: string;
  version: number;
  /** `diagnose.v1`: what a Diagnosis records. */
  id: string;
  /** Hash of the file: part of the cache key, so an edited template never serves stale answers. */
  digest: string;
  system?: string;
  user: string;
  placeholders: string[];
}

/** The diagnosis prompt in use; its file is prompts/diagnose.v1.md. */
export const PROMPT_VERSION = 'diagnose.v1';
export const REPAIR_PROMPT = 'repair.v1';

/** prompts/ is beside src/ in the checkout and beside dist/ in a build: walk up until it is found. */
function promptsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'prompts');
    if (existsSync(join(candidate, `${PROMPT_VERSION}.md`))) return candidate;
    const up = dirname(dir);
    if (up === dir)
      throw new Error(`prompts/${PROMPT_VERSION}.md not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

const cache = new Map<string, PromptTemplate>();

/** Reads and checks `prompts/<id>.md`; a template that breaks its own contract throws at load. */
export function loadPrompt(id: string): PromptTemplate {
  const hit = cache.get(id);
  if (hit) return hit;
  const text = readFileSync(join(promptsDir(), `${id}.md`), 'utf8');
  const header = /^<!--([\s\S]*?)-->/.exec(text)?.[1] ?? '';
  const name = /^prompt:\s*(\S+)/m.exec(header)?.[1];
  const version = Number(/^version:\s*(\d+)/m.exec(header)?.[1]);
  if (!name || !Number.isInteger(version) || `${name}.v${version}` !== id) {
    throw new Error(`prompts/${id}.md: header must say prompt: and version: matching the file name`);
  }
  const declared = [...(/^\s*placeholders:(.*)$/m.exec(header)?.[1] ?? '').matchAll(/\{\{(\w+)\}\}/g)].map(
    (m) => m[1] as string,
  );
  const body = text.slice(text.indexOf('-->') + 3);
  const section = (title: string) => {
    const m = new RegExp(`^## ${title}\\n([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, 'm').exec(body);
    return m?.[1]?.trim();
  };
  const system = section('system');
  const user = section('user');
  if (user === undefined) throw new Error(`prompts/${id}.md has no "## user" section`);
  const used = [...`${system ?? ''}\n${user}`.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] as string);
  const undeclared = used.filter((p) => !declared.includes(p));
  if (undeclared.length > 0)
    throw new Error(`prompts/${id}.md uses undeclared placeholders: ${undeclared.join(', ')}`);
  const template: PromptTemplate = {
    name,
    version,
    id,
    digest: createHash('sha256').update(text).digest('hex').slice(0, 12),
    ...(system === undefined ? {} : { system }),
    user,
    placeholders: declared,
  };
  cache.set(id, template);
  return template;
}

/** Fills `{{name}}` from `values` in one pass; a missing or unknown value is a programming error. */
export function render(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`prompt placeholder {{${key}}} has no value`);
    return value;
  });
}
