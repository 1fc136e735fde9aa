/** `medic worker`: runs pipeline stages from the shared queues (Redis) against the shared ledger (PostgreSQL). */
import { createServer } from 'node:http';
import type { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { InputError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { loadServiceConfig, startWorker } from '../../service/index.js';
import { action, EXIT_OK } from '../action.js';
import { untilSignal } from './signals.js';

interface WorkerFlags {
  name?: string;
  metricsPort?: string;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('Run pipeline stages from the queues (needs MEDIC_REDIS_URL and DATABASE_URL)')
    .option('--name <name>', "this worker's name in the ledger (default: host:pid)")
    .option('--metrics-port <n>', 'serve /metrics (stage durations, verdicts) on this port of 127.0.0.1')
    .action(action(worker));
}

async function worker(flags: WorkerFlags): Promise<number> {
  const medic = loadConfig();
  const config = loadServiceConfig();
  const log = createLogger(process.env.MEDIC_LOG_LEVEL ?? 'info');
  const metricsPort = flags.metricsPort === undefined ? undefined : Number(flags.metricsPort);
  if (
    metricsPort !== undefined &&
    !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65_535)
  ) {
    throw new InputError(
      'MEDIC_ERR_INPUT_BAD_OPTION',
      `--metrics-port must be a port number, not ${flags.metricsPort}`,
    );
  }
  const running = await startWorker({
    config,
    medic,
    log,
    ...(flags.name ? { workerName: flags.name } : {}),
  });
  const server =
    metricsPort === undefined
      ? undefined
      : createServer((request, response) => {
          if (request.url !== '/metrics') {
            response.writeHead(404).end();
            return;
          }
          running.metrics.registry.metrics().then(
            (text) =>
              response.writeHead(200, { 'content-type': running.metrics.registry.contentType }).end(text),
            () => response.writeHead(500).end(),
          );
        });
  if (server !== undefined)
    await new Promise<void>((resolve) => server.listen(metricsPort, '127.0.0.1', resolve));
  log.info({ queue: running.queue.kind }, 'medic worker started');
  process.stderr.write('medic: worker started\n');
  await untilSignal(log, async () => {
    server?.close();
    await running.close();
  });
  return EXIT_OK;
}
