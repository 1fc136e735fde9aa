// The LLM proposal gate on real Go: accepted proposals become patches; every refusal carries its reason code.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMedicError } from '../../src/core/errors.js';
import { gateProposal } from '../../src/patch/index.js';
import { diagnosisAt, evidenceAt } from './records.js';

const P = 'example.com/ops/bugs';
const blamed = { file: 'bugs/guards.go', line: 34, function: `${P}.Average` };
let repoDir: string;

beforeAll(async () => {
  repoDir = await mkdtemp(join(tmpdir(), 'medic-gate-'));
  await cp(join(import.meta.dirname, 'go/ops'), repoDir, { recursive: true });
});

afterAll(async () => {
  await rm(repoDir, { recursive: true, force: true });
});

function ctx() {
  return {
    repoDir,
    incidentId: 'test-incident',
    diagnosis: diagnosisAt(blamed, 'divide-by-zero', ['division-guard']),
    evidence: evidenceAt(blamed, 'integer divide by zero'),
  };
}

function body(op: Record<string, unknown>) {
  return {
    strategy: 'division-guard',
    explanation: 'Guard the divisor.',
    operations: [
      { op: 'replace-function-body', file: 'bugs/guards.go', line: 34, function: `${P}.Average`, ...op },
    ],
  };
}

async function refusal(proposal: unknown): Promise<string> {
  try {
    await gateProposal(proposal, ctx());
  } catch (error) {
    if (isMedicError(error)) return error.code;
    throw error;
  }
  throw new Error('the proposal was accepted');
}

describe('gate', () => {
  it('accepts a body rewrite of the blamed function and a typed operation', async () => {
    const patch = await gateProposal(
      body({ body: '{\n\tif n == 0 {\n\t\treturn 0\n\t}\n\treturn sum / n\n}' }),
      ctx(),
    );
    expect(patch.origin).toBe('llm');
    expect(patch.diff).toContain('+\tif n == 0 {');
    const typed = await gateProposal(
      {
        strategy: 'division-guard',
        explanation: 'x',
        operations: [{ op: 'division-guard', ...blamed, divisor: 'n' }],
      },
      ctx(),
    );
    expect(typed.operations[0]?.op).toBe('division-guard');
  });

  it('refuses an edit outside the blamed function', async () => {
    expect(
      await refusal({
        ...body({ body: '{ return s }' }),
        operations: [
          {
            op: 'replace-function-body',
            file: 'bugs/guards.go',
            line: 29,
            function: `${P}.Head`,
            body: '{ return s }',
          },
        ],
      }),
    ).toBe('MEDIC_ERR_PATCH_OUT_OF_SCOPE');
  });

  it('refuses a path outside the repository', async () => {
    expect(
      await refusal({
        strategy: 'division-guard',
        explanation: 'x',
        operations: [{ op: 'division-guard', file: '../../etc/hosts', line: 1, divisor: 'n' }],
      }),
    ).toBe('MEDIC_ERR_PATCH_OUT_OF_SCOPE');
  });

  it('refuses a forbidden import', async () => {
    const code = await refusal(
      body({ body: '{\n\t_ = exec.Command\n\treturn sum / n\n}', imports: ['os/exec'] }),
    );
    expect(code).toBe('MEDIC_ERR_PATCH_FORBIDDEN_IMPORT');
    expect(
      await refusal(body({ body: '{\n\t_ = unsafe.Sizeof(n)\n\treturn sum / n\n}', imports: ['unsafe'] })),
    ).toBe('MEDIC_ERR_PATCH_FORBIDDEN_IMPORT');
  });

  it('refuses a body that does not parse', async () => {
    expect(await refusal(body({ body: '{\n\treturn sum / \n}' }))).toBe('MEDIC_ERR_PATCH_PARSE');
    expect(await refusal(body({ body: '{ return 1 }\nfunc Evil() {}' }))).toBe('MEDIC_ERR_PATCH_PARSE');
  });

  it('refuses a change over the size limit', async () => {
    const lines = Array.from({ length: 150 }, (_, i) => `\t_ = ${i}`).join('\n');
    expect(await refusal(body({ body: `{\n${lines}\n\treturn sum / n\n}` }))).toBe(
      'MEDIC_ERR_PATCH_TOO_LARGE',
    );
  });

  it('refuses a malformed proposal with the schema issues', async () => {
    expect(await refusal({ strategy: 'rewrite-everything', operations: [] })).toBe(
      'MEDIC_ERR_PATCH_PROPOSAL_INVALID',
    );
    expect(await refusal('not even an object')).toBe('MEDIC_ERR_PATCH_PROPOSAL_INVALID');
  });

  it('refuses an operation whose precondition fails, with the reason', async () => {
    expect(
      await refusal({
        strategy: 'division-guard',
        explanation: 'x',
        operations: [{ op: 'division-guard', ...blamed, divisor: 'sum' }],
      }),
    ).toBe('MEDIC_ERR_PATCH_PRECONDITION');
  });
});
