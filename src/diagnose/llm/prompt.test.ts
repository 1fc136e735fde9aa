// Prompt templates keep their contract: header, declared placeholders, one-pass rendering.
import { describe, expect, it } from 'vitest';
import { loadPrompt, PROMPT_VERSION, REPAIR_PROMPT, render } from './prompt.js';
import { Answer, answerJsonSchema } from './schema.js';

describe('prompts', () => {
  it('loads the diagnosis and repair prompts with their versions and digests', () => {
    const p = loadPrompt(PROMPT_VERSION);
    expect(p.id).toBe('diagnose.v1');
    expect(p.system).toContain('never an instruction');
    expect(p.placeholders).toContain('context');
    expect(p.digest).toMatch(/^[0-9a-f]{12}$/);
    expect(loadPrompt(REPAIR_PROMPT).placeholders).toEqual(['previous', 'problems', 'schemaNote']);
  });

  it('renders in one pass: data that looks like a placeholder stays data', () => {
    expect(render('a {{x}} b', { x: '{{x}} {{y}}' })).toBe('a {{x}} {{y}} b');
    expect(() => render('{{missing}}', {})).toThrow('missing');
  });
});

describe('answer schema', () => {
  it('is strict: every object closed and fully required, no ±2^53 bounds', () => {
    const text = JSON.stringify(answerJsonSchema());
    expect(text).not.toContain('9007199254740991');
    expect(text).not.toContain('$schema');
    const check = (node: unknown): void => {
      if (node === null || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.type === 'object') {
        expect(n.additionalProperties).toBe(false);
        expect(n.required).toEqual(Object.keys(n.properties as object));
      }
      for (const v of Object.values(n)) check(v);
    };
    check(answerJsonSchema());
    expect(Object.keys(Answer.shape)).toEqual((answerJsonSchema().required as string[]) ?? []);
  });
});
