// readModulePath against real go.mod files in a temp directory, including the failure paths.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readModulePath } from './index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'medic-gomod-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readModulePath', () => {
  it('reads plain, quoted and commented module lines', async () => {
    await writeFile(
      join(dir, 'go.mod'),
      '// Shop service\nmodule example.com/shop // main module\n\ngo 1.22\n',
    );
    expect(await readModulePath(dir)).toBe('example.com/shop');
    await writeFile(join(dir, 'go.mod'), 'module "example.com/quoted"\n');
    expect(await readModulePath(dir)).toBe('example.com/quoted');
  });

  it('is undefined without go.mod or without a module line', async () => {
    expect(await readModulePath(dir)).toBeUndefined();
    await writeFile(join(dir, 'go.mod'), 'go 1.22\n');
    expect(await readModulePath(dir)).toBeUndefined();
  });

  it('fails with a code when go.mod cannot be read', async () => {
    await mkdir(join(dir, 'go.mod'));
    await expect(readModulePath(dir)).rejects.toMatchObject({ code: 'MEDIC_ERR_INGEST_GOMOD_UNREADABLE' });
  });
});
