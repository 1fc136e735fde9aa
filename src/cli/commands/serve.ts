/** `medic serve [--port N]`: the webhook intake and incident API, with an in-process worker unless `--no-worker`. */
import type { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { InputError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { loadServiceConfig, startServe } from '../../service/index.js';
import { action, EXIT_OK } from '../action.js';
import { untilSignal } from './signals.js';

interface ServeFlags {
  port?: string;
  host?: string;
  worker: boolean;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'Run the service: alert webhooks, the incident API and review pages, and (by default) a stage worker',
    )
    .option('--port <n>', 'port to listen on (default: MEDIC_PORT, else 8787)')
    .option('--host <addr>', 'address to listen on (default: MEDIC_HOST, else 127.0.0.1)')
    .option(
      '--no-worker',
      'do not run stages in this process (needs MEDIC_REDIS_URL and separate `medic worker`s)',
    )
    .action(action(serve));
}

async function serve(flags: ServeFlags): Promise<number> {
  const medic = loadConfig();
  const config = loadServiceConfig();
  if (flags.port !== undefined) {
    const port = Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new InputError('MEDIC_ERR_INPUT_BAD_OPTION', `--port must be a port number, not ${flags.port}`);
    }
    config.port = port;
  }
  if (flags.host !== undefined) config.host = flags.host;
  if (!flags.worker) config.worker = false;
  const log = createLogger(process.env.MEDIC_LOG_LEVEL ?? 'info');
  const running = await startServe({ config, medic, log });
  log.info(
    { url: running.url, queue: running.queue.kind, worker: config.worker },
    `medic listening on ${running.url}`,
  );
  process.stderr.write(`medic: listening on ${running.url}\n`);
  await untilSignal(log, () => running.close());
  return EXIT_OK;
}
