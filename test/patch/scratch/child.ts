// Child process for scratch.test.ts: makes a registered scratch directory, prints its path, then exits or waits for a signal.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeScratch } from '../../../src/patch/scratch.js';

const dir = await makeScratch('repro');
await writeFile(join(dir, 'go.mod'), 'module example.com/x\n');
process.stdout.write(`${dir}\n`);
if (process.argv[2] === 'exit') process.exit(0);
// Kept alive until the parent's signal arrives.
setInterval(() => {}, 1 << 30);
