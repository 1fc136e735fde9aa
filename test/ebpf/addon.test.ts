// The addon's contract: native/index.d.ts matches what the addon exports, and the TypeScript decoder
// matches the C layout of bpf/medic.h. Plus the pure parts of the collector (privilege, probe specs).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/commands/trace.js';
import { CONFIG_SIZE, EVENT_LAYOUT } from '../../src/ingest/trace/collector-decode.js';
import { loadAddon } from '../../src/ingest/trace/collector-native.js';
import { checkPrivilege } from '../../src/ingest/trace/collector-privilege.js';
import { parseProbeSpecs } from '../../src/ingest/trace/collector-record.js';
import { ebpfSkipReason } from './helpers.js';

const skip = ebpfSkipReason();

/** Member names declared in native/index.d.ts for `class BpfSession` and `interface NativeAddon`. */
function declared(): { session: string[]; addon: string[] } {
  const file = fileURLToPath(new URL('../../native/index.d.ts', import.meta.url));
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  const out = { session: [] as string[], addon: [] as string[] };
  source.forEachChild((node) => {
    if (ts.isClassDeclaration(node) && node.name?.text === 'BpfSession') {
      for (const m of node.members) if (ts.isMethodDeclaration(m)) out.session.push(m.name.getText(source));
    }
    if (ts.isInterfaceDeclaration(node) && node.name.text === 'NativeAddon') {
      for (const m of node.members) out.addon.push(m.name?.getText(source) ?? '');
    }
  });
  return out;
}

describe.skipIf(skip !== undefined)('the medic_bpf addon', () => {
  const load = loadAddon();
  const addon = load.ok ? load.addon : undefined;

  it('exports exactly what native/index.d.ts declares', () => {
    const { session, addon: members } = declared();
    expect(Object.keys(addon ?? {}).sort()).toEqual([...members].sort());
    const proto = Object.getOwnPropertyNames(addon?.BpfSession.prototype).filter((n) => n !== 'constructor');
    expect(proto.sort()).toEqual([...session].sort());
    expect(addon?.libbpfVersion()).toMatch(/^v\d+\.\d+/);
  });

  it('lays out struct medic_event as the decoder reads it', () => {
    const layout = addon?.eventLayout();
    expect(layout).toEqual({
      ...EVENT_LAYOUT,
      configSize: CONFIG_SIZE,
      offsets: { ...EVENT_LAYOUT.offsets },
    });
  });

  it('throws with errno and libbpf log on a bad object file', () => {
    const Session = addon?.BpfSession;
    expect(() => (Session === undefined ? undefined : new Session('/nonexistent.bpf.o'))).toThrow(
      /cannot open BPF object/,
    );
  });
});

describe('privilege check', () => {
  const status = (capEff: string) => `Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t${capEff}\n`;
  it('accepts CAP_SYS_ADMIN', () => {
    expect(checkPrivilege(status('000001ffffffffff')).ok).toBe(true);
  });
  it('names CAP_SYS_ADMIN when only CAP_BPF and CAP_PERFMON are there', () => {
    const res = checkPrivilege(status((2n ** 38n + 2n ** 39n).toString(16).padStart(16, '0')));
    expect(res).toMatchObject({ ok: false, missing: ['CAP_SYS_ADMIN'] });
    expect(res.reason).toContain('CAP_BPF and CAP_PERFMON are present but not enough');
  });
  it('fails closed on unreadable status text', () => {
    expect(checkPrivilege('garbage').ok).toBe(false);
  });
});

describe('probe specs and durations', () => {
  it('defaults to the cheap runtime probes and keeps user functions in order', () => {
    expect(parseProbeSpecs(['user:main.handle', 'user:pkg.(*T).Serve'])).toEqual({
      runtimeProbes: ['panic', 'gc-start'],
      userFunctions: ['main.handle', 'pkg.(*T).Serve'],
    });
    expect(parseProbeSpecs(['panic', 'user:main.f']).runtimeProbes).toEqual(['panic']);
    expect(parseProbeSpecs(['goroutine-create', 'panic']).runtimeProbes).toEqual([
      'goroutine-create',
      'panic',
    ]);
  });
  it.each(['gc', 'user:', 'user:a b', 'user:$(x)'])('rejects %j', (spec) => {
    expect(() => parseProbeSpecs([spec])).toThrow(
      expect.objectContaining({ code: 'MEDIC_ERR_INPUT_BAD_OPTION' }),
    );
  });
  it('parses durations', () => {
    expect([
      parseDuration('500ms'),
      parseDuration('30s'),
      parseDuration('2m'),
      parseDuration('1h'),
      parseDuration('5'),
    ]).toEqual([500, 30_000, 120_000, 3_600_000, 5000]);
    expect(() => parseDuration('soon')).toThrow(
      expect.objectContaining({ code: 'MEDIC_ERR_INPUT_BAD_OPTION' }),
    );
  });
});
