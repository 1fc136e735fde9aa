/** Entry point of the local deployment agent process: `agent-main --spec FILE` (started detached by the local driver). */
import { readFileSync } from 'node:fs';
import { Agent } from './agent.js';
import { AgentSpec } from './agent-api.js';

const at = process.argv.indexOf('--spec');
const file = at === -1 ? undefined : process.argv[at + 1];
if (file === undefined) {
  process.stderr.write('usage: agent-main --spec FILE\n');
  process.exit(2);
}
const spec = AgentSpec.parse(JSON.parse(readFileSync(file, 'utf8')));
const agent = new Agent(spec, () => process.exit(0));
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    agent.shutdown().catch((error: Error) => {
      process.stderr.write(`shutdown failed: ${error.stack ?? error.message}\n`);
      process.exit(1);
    });
  });
}
try {
  await agent.start();
} catch (error) {
  process.stderr.write(`agent failed to start: ${(error as Error).stack ?? String(error)}\n`);
  await agent.shutdown().catch(() => undefined);
  process.exit(1);
}
