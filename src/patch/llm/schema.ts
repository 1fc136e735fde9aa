/**
 * What the model answers when asked for a patch: one proposal, as typed operations or one
 * function-body replacement, in a flat strict-mode shape (every property present, unused
 * arguments null), and its mapping to the gate's LlmProposal.
 */
import { z } from 'zod';
import { FixStrategy } from '../../core/model.js';
import { type Parsed, parseModelJson } from '../../diagnose/index.js';
import type { LlmProposal } from '../gate.js';
import { Operation } from '../ops/schema.js';

export const SCHEMA_NAME = 'medic_patch_proposal';

/** Every operation kind but the body replacement, which has its own slot. */
const OP_KINDS = Operation.options
  .map((o) => o.shape.op.value)
  .filter((k): k is Exclude<Operation['op'], 'replace-function-body'> => k !== 'replace-function-body');

const Arg = z.string().max(200).nullable();

export const WireOperation = z.object({
  op: z.enum(OP_KINDS as [(typeof OP_KINDS)[number], ...(typeof OP_KINDS)[number][]]),
  file: z.string(),
  line: z.number().int().min(1).max(1_000_000),
  function: z.string(),
  map: Arg,
  value: Arg,
  expr: Arg,
  channel: Arg,
  divisor: Arg,
  collection: Arg,
  done: Arg,
  type: Arg,
  method: Arg,
  release: Arg,
  fields: z.array(z.string().max(100)).max(20).nullable(),
  limit: z.number().int().min(1).max(100_000_000).nullable(),
});

export const WireBody = z.object({
  file: z.string(),
  line: z.number().int().min(1).max(1_000_000),
  function: z.string(),
  body: z.string().max(20_000),
  imports: z.array(z.string().max(200)).max(10),
});

export const WireAnswer = z.object({
  strategy: FixStrategy,
  explanation: z.string().max(2_000),
  operations: z.array(WireOperation).max(8),
  replaceBody: WireBody.nullable(),
});
export type WireAnswer = z.infer<typeof WireAnswer>;

/** The gate's input: null arguments dropped (the gate's schema decides what each operation needs). */
export function toProposal(answer: WireAnswer): LlmProposal | Record<string, unknown> {
  const operations: Record<string, unknown>[] = answer.operations.map((o) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)),
  );
  if (answer.replaceBody !== null) operations.push({ op: 'replace-function-body', ...answer.replaceBody });
  return { strategy: answer.strategy, explanation: answer.explanation, operations };
}

/** One line per operation kind for the prompt: its arguments, from the operation schema itself. */
export function operationCatalogue(): string {
  return Operation.options
    .filter((o) => o.shape.op.value !== 'replace-function-body')
    .map((o) => {
      const args = Object.keys(o.shape).filter((k) => !['op', 'file', 'line', 'function'].includes(k));
      return `- ${o.shape.op.value}: ${args.length === 0 ? '(no arguments)' : args.join(', ')}${o.description ? ` — ${o.description}` : ''}`;
    })
    .join('\n');
}

/** Parses model text (a ```json fence tolerated); the error says what to fix, for the repair round. */
export function parseWire(text: string): Parsed<WireAnswer> {
  return parseModelJson(text, WireAnswer);
}
