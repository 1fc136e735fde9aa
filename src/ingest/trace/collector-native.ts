/** Finding and loading the medic_bpf addon and the compiled BPF object, with the reason when either is missing. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeAddon } from '../../../native/index.js';

/** The repository root: the nearest ancestor of this file holding native/binding.gyp (works from src/ and dist/). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'native', 'binding.gyp'))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('cannot find the project root (native/binding.gyp) above the collector');
    dir = parent;
  }
}

/** Where native/build.sh put its outputs; MEDIC_NATIVE_BUILD overrides it (another build, or tests). */
export function nativeBuildDir(): string {
  return process.env.MEDIC_NATIVE_BUILD ?? join(projectRoot(), 'native', 'build');
}

export function addonPath(): string {
  return join(nativeBuildDir(), 'Release', 'medic_bpf.node');
}

export function bpfObjectPath(): string {
  return join(nativeBuildDir(), 'bpf', 'medic.bpf.o');
}

export type AddonLoad = { ok: true; addon: NativeAddon; objectPath: string } | { ok: false; reason: string };

let cached: AddonLoad | undefined;

/** Loads the addon once; never throws: the reason says what is missing and how to get it. */
export function loadAddon(): AddonLoad {
  if (cached !== undefined) return cached;
  cached = tryLoad();
  return cached;
}

function tryLoad(): AddonLoad {
  if (process.platform !== 'linux')
    return { ok: false, reason: `eBPF needs Linux (this is ${process.platform})` };
  if (!existsSync('/sys/kernel/btf/vmlinux')) {
    return {
      ok: false,
      reason: 'the kernel has no BTF (/sys/kernel/btf/vmlinux), needed to relocate CO-RE programs',
    };
  }
  const addon = addonPath();
  const objectPath = bpfObjectPath();
  const rebuild =
    'install clang, libbpf-dev and bpftool (scripts/setup-ebpf.sh), then run `npm run build:native`';
  if (!existsSync(addon))
    return { ok: false, reason: `the native addon is not built (${addon}); ${rebuild}` };
  if (!existsSync(objectPath))
    return { ok: false, reason: `the BPF object is not built (${objectPath}); ${rebuild}` };
  try {
    const loaded = createRequire(import.meta.url)(addon) as NativeAddon;
    return { ok: true, addon: loaded, objectPath };
  } catch (error) {
    return { ok: false, reason: `the native addon does not load: ${(error as Error).message}; ${rebuild}` };
  }
}
