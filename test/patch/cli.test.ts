// `medic patch` from the outside: the real CLI on a fixture incident, with an LLM proposal from the test double, and its bad flags.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/core/exec.js';
import { answer, type LlmServer, startLlmServer } from '../llm-server/server.js';

const MEDIC = join(import.meta.dirname, '../../bin/medic.js');
const INCIDENT = join(import.meta.dirname, '../../fixtures/incidents/nil-deref-handler');
const CARD = 'example.com/accounts/internal/platform/http/handlers/users.(*Handler).card';
let tmp: string;
let server: LlmServer;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'medic-cli-patch-'));
  server = await startLlmServer({
    fallback: answer({
      strategy: 'nil-guard',
      explanation: 'Leave the profile fields empty for users without a profile.',
      operations: [],
      replaceBody: {
        file: 'internal/platform/http/handlers/users/handler.go',
        line: 80,
        function: CARD,
        body: '{\n\tu, ok := h.lookup(w, r)\n\tif !ok {\n\t\treturn\n\t}\n\tc := Card{Name: u.Name, Initials: initials(u.Name)}\n\tif p := u.Profile; p != nil {\n\t\tc.Title, c.Avatar = p.Title, p.AvatarURL\n\t}\n\trespond(w, http.StatusOK, c)\n}',
        imports: [],
      },
    }),
  });
});
afterAll(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

function medic(args: string[], env: Record<string, string> = {}) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MEDIC_')));
  return run(['node', MEDIC, 'patch', ...args], {
    cwd: tmp,
    env: { ...base, MEDIC_WORK_DIR: join(tmp, 'work'), ...env },
    timeoutMs: 120_000,
  });
}

describe('medic patch', () => {
  it('ranks the LLM proposal with the rules candidates and prints what it cost', async () => {
    const r = await medic(
      ['--provider', 'rules', '--llm-patches', 'always', '--no-test-check', '--max', '5', INCIDENT],
      {
        MEDIC_LLM_BASE_URL: server.url,
        MEDIC_LLM_MODEL: 'double-1',
      },
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/── candidate 1: nil-guard \(rules\)\n.*\n {2}skip-if-nil/);
    expect(r.stdout).toMatch(
      /── candidate \d: nil-guard \(llm\)\nfiles .*\nllm {4}double-1, prompt patch\.v1, \d+\+\d+ tokens in 1 request/,
    );
    expect(r.stdout).toMatch(/── candidate \d: recover-and-log \(rules\) {2}\[LAST RESORT/);
  });

  it.each([
    [['--llm-patches', 'sometimes', INCIDENT], {}],
    [['--llm-patches', 'always', INCIDENT], {}],
  ])('refuses %j with exit code 2', async (args, env) => {
    const r = await medic(args, env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('MEDIC_ERR_INPUT_BAD_OPTION');
  });
});
