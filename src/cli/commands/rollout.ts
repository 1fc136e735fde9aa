/** `medic rollout <incident-dir|run-dir>`: roll a verified, approved fix out in stages on this machine, or export the plan for Argo Rollouts / Flagger. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { InputError } from '../../core/errors.js';
import {
  type Proposal,
  type ReplayRequest,
  ReplayRequest as ReplayRequestSchema,
  type Rollout,
} from '../../core/model.js';
import { forgeOfProposal } from '../../propose/index.js';
import {
  CLUSTER_METRICS,
  configuredSettings,
  exportManifests,
  LoadGenerator,
  loadRolloutSource,
  type RolloutSettings,
  type RolloutSource,
  rolloutLocally,
  type SettingsInput,
} from '../../rollout/index.js';
import { loadServiceConfig } from '../../service/index.js';
import { action, EXIT_FAILED, EXIT_OK, printJson } from '../action.js';
import { choiceFlag } from '../prelude.js';

/** The plan and gate flags are the rollout stage's SettingsInput, under the same names. */
interface RolloutFlags extends SettingsInput {
  export?: string;
  prometheus?: string;
  approve?: boolean;
  listen?: string;
  adminListen?: string;
  load?: string;
  traffic?: string;
  keepRunning?: boolean;
  restart?: boolean;
  namespace?: string;
  servicePort?: string;
  requestsMetric?: string;
  durationMetric?: string;
  signatureMetric?: string;
  json?: boolean;
}

export function registerRollout(program: Command): void {
  program
    .command('rollout')
    .description(
      'Roll a verified, approved fix out in stages behind SLO gates, rolling back by itself; or export the plan for Argo Rollouts or Flagger',
    )
    .argument(
      '<incident-dir|run-dir>',
      'a run directory (medic replay --out) or an incident directory whose run is under <work-dir>/runs',
    )
    .option(
      '--export <argo|flagger>',
      'print Kubernetes manifests carrying the plan and gates instead of rolling out',
    )
    .option('--plan <weights>', 'canary traffic per step, in percent (default 5,25,50,100)')
    .option('--bake <durations>', 'bake time per step: one for all, or one per step (default 5m)')
    .option('--max-error-rate <rate>', 'roll back above this share of 5xx answers, 0.03 or 3% (default 0.03)')
    .option('--max-p99 <duration>', 'roll back above this p99 latency (default 800ms)')
    .option('--window <duration>', 'range the error rate and p99 are measured over (default 5m)')
    .option('--interval <duration>', 'time between gate readings (default 30s)')
    .option('--min-requests <n>', 'canary requests the window must hold before a step passes (default 20)')
    .option(
      '--max-hold <duration>',
      'how long a step waits past its bake for traffic or readable gates before rolling back',
    )
    .option(
      '--prometheus <url>',
      'Prometheus the gates query (default MEDIC_PROMETHEUS_URL, rollout.prometheusUrl, http://127.0.0.1:9090)',
    )
    .option('--approve', 'approve the fix yourself (needed for an unreviewed patch; recorded as yours)')
    .option(
      '--listen <host:port>',
      'where the local proxy serves the service (default rollout.listen, 127.0.0.1:8080)',
    )
    .option(
      '--admin-listen <host:port>',
      'where the local deployment serves /metrics and its admin API (default rollout.adminListen, 127.0.0.1:9464)',
    )
    .option(
      '--load <rps>',
      'send this many requests per second of recorded traffic through the proxy while rolling out',
    )
    .option('--traffic <file>', "NDJSON of requests for --load (default: the incident's traffic artifact)")
    .option('--keep-running', 'leave the local deployment running when the rollout ends')
    .option('--restart', 'discard the stored rollout and start a new one')
    .option('--namespace <name>', 'export: namespace of the manifests and of the metrics')
    .option('--service-port <port>', 'export (flagger): the service port', '8080')
    .option(
      '--requests-metric <name>',
      `export: request counter with a code label (default ${CLUSTER_METRICS.requests})`,
    )
    .option(
      '--duration-metric <name>',
      `export: latency histogram in seconds (default ${CLUSTER_METRICS.duration})`,
    )
    .option(
      '--signature-metric <name>',
      `export: failure counter with a signature label (default ${CLUSTER_METRICS.signature})`,
    )
    .option('--json', 'print the Rollout record as JSON on stdout instead of the summary')
    .action(action(rollout));
}

async function rollout(target: string, flags: RolloutFlags): Promise<number> {
  const config = loadConfig();
  const rc = config.rollout;
  const source = await loadRolloutSource(target, config.workDir);
  // configuredSettings reads only the settings keys of the flags; the rest are ours.
  const settings = configuredSettings(rc, flags);
  const prometheusUrl = flags.prometheus ?? rc.prometheusUrl;
  if (flags.export !== undefined) return exportTo(flags, source, settings, prometheusUrl);

  // The review is read from the forge the proposal went to, with the service's forge settings.
  // Built when asked, so an unreadable proposal is an unreadable review (which --approve overrides).
  const service = loadServiceConfig();
  const github = {
    apiUrl: service.forge.github.apiUrl,
    ...(service.githubToken ? { token: service.githubToken } : {}),
  };
  const forge = {
    reviewState: (proposal: Proposal) =>
      forgeOfProposal(proposal, { runDir: source.runDir, github }).reviewState(proposal),
  };
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const requests = flags.load === undefined ? [] : await trafficFor(flags, source, target);
  let load: LoadGenerator | undefined;
  try {
    const result = await rolloutLocally({
      source,
      settings,
      policy: {
        require: rc.approval,
        allowUnreviewed: rc.allowUnreviewed,
        ...(flags.approve ? { operator: `operator:${userInfo().username}` } : {}),
        forge,
      },
      prometheusUrl,
      goBinary: config.goBinary,
      workDir: config.workDir,
      listen: flags.listen ?? rc.listen,
      adminListen: flags.adminListen ?? rc.adminListen,
      ...(flags.restart ? { restart: true } : {}),
      ...(flags.keepRunning ? { keepRunning: true } : {}),
      onProgress: (message) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`),
      signal: abort.signal,
      onServing: (listen) => {
        if (requests.length === 0 || load !== undefined) return;
        load = new LoadGenerator({ target: listen, requests, rps: Number(flags.load) });
        load.start();
      },
    });
    if (flags.json) printJson(result);
    else process.stdout.write(summary(result));
    return result.outcome === 'promoted' ? EXIT_OK : EXIT_FAILED;
  } finally {
    load?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function exportTo(
  flags: RolloutFlags,
  source: RolloutSource,
  settings: RolloutSettings,
  prometheusUrl: string,
): number {
  const target = choiceFlag('--export', flags.export, ['argo', 'flagger']);
  const port = Number(flags.servicePort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InputError(
      'MEDIC_ERR_INPUT_BAD_OPTION',
      `--service-port must be a port number, not ${flags.servicePort}`,
    );
  }
  const yaml = exportManifests(target, {
    incident: source.incident,
    settings,
    ...(source.signature ? { signature: source.signature } : {}),
    prometheusUrl,
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
    servicePort: port,
    metrics: {
      requests: flags.requestsMetric ?? CLUSTER_METRICS.requests,
      duration: flags.durationMetric ?? CLUSTER_METRICS.duration,
      signature: flags.signatureMetric ?? CLUSTER_METRICS.signature,
    },
    ...(source.proposal ? { patch: { commit: source.proposal.commit, branch: source.proposal.branch } } : {}),
  });
  process.stdout.write(yaml);
  return EXIT_OK;
}

/** Requests for --load: --traffic, else the incident's traffic artifact next to the target. */
async function trafficFor(
  flags: RolloutFlags,
  source: RolloutSource,
  target: string,
): Promise<ReplayRequest[]> {
  const rps = Number(flags.load);
  if (!(rps > 0))
    throw new InputError('MEDIC_ERR_INPUT_BAD_OPTION', `--load must be a positive rate, not ${flags.load}`);
  const artifact = source.incident.artifacts.find((a) => a.kind === 'traffic');
  const file = flags.traffic ?? (artifact ? join(resolve(target), artifact.path) : undefined);
  if (file === undefined || !existsSync(file)) {
    throw new InputError(
      'MEDIC_ERR_INPUT_BAD_OPTION',
      '--load needs recorded traffic: pass --traffic FILE (NDJSON of requests)',
    );
  }
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  return lines.map((line, i) => {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new InputError('MEDIC_ERR_INPUT_INVALID_JSON', `${file}:${i + 1} is not JSON`);
    }
    const parsed = ReplayRequestSchema.safeParse(json);
    if (!parsed.success)
      throw new InputError('MEDIC_ERR_INPUT_INVALID_RECORD', `${file}:${i + 1} is not a request record`);
    return parsed.data;
  });
}

function summary(r: Rollout): string {
  const lines = [`Rollout ${r.id ?? r.incidentId}: ${r.outcome}`];
  if (r.approval) lines.push(`Approved by ${r.approval.by} (${r.approval.kind})`);
  for (const step of r.steps) {
    const failed = step.readings.filter((x) => !x.ok).length;
    lines.push(
      `  step ${step.index + 1}: ${step.weight} %, ${step.readings.length} readings${failed ? `, ${failed} failing` : ''}`,
    );
  }
  for (const d of r.decisions)
    lines.push(`  ${d.at.slice(11, 19)} step ${d.step + 1} ${d.decision}: ${d.reason} (${d.by})`);
  return `${lines.join('\n')}\n`;
}
