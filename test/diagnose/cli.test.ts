// `medic diagnose` from the outside: the real CLI on a recorded incident, with rules and with the LLM double.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/core/exec.js';
import { Diagnosis } from '../../src/core/model.js';
import { answer, type LlmServer, startLlmServer } from '../llm-server/server.js';
import { buildCrashlab, evidenceFor, recordIncident } from './harness.js';
import { goodAnswer } from './llm-helpers.js';

const MEDIC = join(import.meta.dirname, '../../bin/medic.js');

let tmp: string;
let dir: string;
let server: LlmServer;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'medic-cli-diagnose-'));
  const { plain } = await buildCrashlab(tmp);
  const rec = await recordIncident(join(tmp, 'incidents'), plain, 'type-assertion');
  dir = rec.dir;
  const good = await goodAnswer(await evidenceFor(rec), rec.incident);
  server = await startLlmServer({ fallback: answer(good) });
});
afterAll(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

/** Runs the CLI with a clean MEDIC_* environment plus `env`. */
function medic(args: string[], env: Record<string, string> = {}) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MEDIC_')));
  return run(['node', MEDIC, 'diagnose', ...args], {
    cwd: tmp,
    env: { ...base, MEDIC_WORK_DIR: join(tmp, 'work'), ...env },
    timeoutMs: 60_000,
  });
}

describe('medic diagnose', () => {
  it('prints the rules diagnosis for a reviewer', async () => {
    const r = await medic([dir]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^root cause +type-assertion/m);
    expect(r.stdout).toContain('internal/convert/convert.go:11');
    expect(r.stdout).toMatch(/^fix +checked-type-assertion/m);
    expect(r.stderr).toContain('diagnose: rules engine');
  });

  it('prints the record with --json', async () => {
    const r = await medic([dir, '--json', '--provider', 'rules']);
    expect(r.exitCode).toBe(0);
    const d = Diagnosis.parse(JSON.parse(r.stdout));
    expect(d.location.function).toBe('example.com/crashlab/internal/convert.Settings.Port');
  });

  it('uses the configured endpoint by default, and the cache on the second run', async () => {
    const env = { MEDIC_LLM_BASE_URL: server.url, MEDIC_LLM_MODEL: 'double-1', MEDIC_LLM_API_KEY: 'k' };
    const first = await medic([dir, '--json'], env);
    expect(first.exitCode).toBe(0);
    expect(Diagnosis.parse(JSON.parse(first.stdout))).toMatchObject({
      provider: 'llm',
      usage: { cached: false },
    });
    const second = await medic([dir], env);
    expect(second.stdout).toContain('cached answer, no request');
    const fresh = await medic([dir, '--no-cache', '--json'], env);
    expect(JSON.parse(fresh.stdout).usage.cached).toBe(false);
  });

  it('rejects bad input with exit code 2 and the error code', async () => {
    const missing = await medic([join(tmp, 'nope')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('MEDIC_ERR_INPUT_NOT_FOUND');
    const provider = await medic([dir, '--provider', 'oracle']);
    expect(provider.exitCode).toBe(2);
    expect(provider.stderr).toContain('MEDIC_ERR_INPUT_BAD_OPTION');
    const samples = await medic([dir, '--samples', '0']);
    expect(samples.exitCode).toBe(2);
    const noEndpoint = await medic([dir, '--provider', 'llm']);
    expect(noEndpoint.exitCode).toBe(2);
    expect(noEndpoint.stderr).toContain('MEDIC_ERR_CONFIG_INVALID');
  });
});
