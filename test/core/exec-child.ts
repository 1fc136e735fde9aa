// Child process for exec.test.ts: starts a long program through run(), says so, then exits or waits for a signal.
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '../../src/core/exec.js';

const [mode, pidFile] = process.argv.slice(2);
if (pidFile === undefined) throw new Error('usage: exec-child.ts exit|wait <pid-file>');
// The grandchild writes its pid, then idles; run() never resolves while it lives.
void run([
  process.execPath,
  '-e',
  'require("fs").writeFileSync(process.argv[1], String(process.pid)); setInterval(() => {}, 1 << 30)',
  pidFile,
]);
// Written, not only created: the parent reads the pid after this process is gone.
while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === '') await sleep(20);
process.stdout.write('started\n');
if (mode === 'exit') process.exit(0);
setInterval(() => {}, 1 << 30);
