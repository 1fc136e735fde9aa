// Every way a trace cannot start fails with its own code and a message that says what to do.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector } from '../../src/ingest/trace/collector.js';
import { GoInspector } from '../../src/ingest/trace/collector-inspect.js';
import { buildTracee, ebpfSkipReason, Tracee } from './helpers.js';

const skip = ebpfSkipReason();
let dir = '';
let plain = '';
let stripped = '';
let noDwarf = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'medic-ebpf-err-'));
  [plain, stripped, noDwarf] = await Promise.all([
    buildTracee(join(dir, 'tracee')),
    buildTracee(join(dir, 'tracee-s'), ['-ldflags=-s']),
    buildTracee(join(dir, 'tracee-w'), ['-ldflags=-w']),
  ]);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const noop = () => {};

describe('binaries goinspect refuses', () => {
  it.each([
    ['stripped (-s)', () => stripped, 'stripped', /no symbol table.*-s/],
    ['without DWARF (-w)', () => noDwarf, 'no-dwarf', /no DWARF.*-w/],
    ['not Go', () => '/bin/true', 'not-go', /no Go build information/],
    ['not ELF', () => join(dir, '..'), 'not-elf', /not an ELF/],
  ])('%s', async (_name, binary, kind, message) => {
    const error = await GoInspector.open(binary()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MEDIC_ERR_INGEST_TRACE_BINARY', details: { kind } });
    expect((error as Error).message).toMatch(message);
  });

  it('reads the Go version and the goroutine id offset from the binary', async () => {
    const inspector = await GoInspector.open(plain);
    try {
      expect(inspector.info.goVersion).toMatch(/^go1\.\d+/);
      expect(inspector.info.arch).toBe('amd64');
      expect(inspector.info.offsets.gGoid).toBeGreaterThan(0);
      expect(inspector.info.probeOffsets['runtime.gopanic']).toBeGreaterThan(0);
      const { found, missing } = await inspector.lookup(['main.handle', 'main.nothere', 'handle']);
      expect(found['main.handle']?.offset).toBeGreaterThan(0);
      expect(missing).toEqual({ 'main.nothere': [], handle: ['main.handle'] });
    } finally {
      inspector.close();
    }
  });
});

describe.skipIf(skip !== undefined)('startCollector refusals', () => {
  it('rejects a stripped binary before touching the kernel', async () => {
    await expect(startCollector({ binary: stripped, onEvent: noop })).rejects.toMatchObject({
      code: 'MEDIC_ERR_INGEST_TRACE_BINARY',
    });
  });

  it('rejects a missing binary', async () => {
    await expect(startCollector({ binary: join(dir, 'nope'), onEvent: noop })).rejects.toMatchObject({
      code: 'MEDIC_ERR_INPUT_NOT_FOUND',
    });
  });

  it('rejects an unknown user function and suggests the qualified name', async () => {
    const error = await startCollector({ binary: plain, userFunctions: ['handle'], onEvent: noop }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ code: 'MEDIC_ERR_INGEST_TRACE_SYMBOL' });
    expect((error as Error).message).toContain('similar: main.handle');
  });

  it('rejects a pid that does not run the binary, and one that does not exist', async () => {
    await expect(startCollector({ binary: plain, pid: process.pid, onEvent: noop })).rejects.toMatchObject({
      code: 'MEDIC_ERR_INGEST_TRACE_PID',
    });
    const gone = new Tracee(plain);
    await gone.next();
    gone.kill();
    await gone.exited;
    await expect(startCollector({ binary: plain, pid: gone.pid, onEvent: noop })).rejects.toMatchObject({
      code: 'MEDIC_ERR_INGEST_TRACE_PID',
    });
  });
});
