/** The propose stage: commit a verified patch on `medic/<incident-id>` and publish it for review. */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { git } from '../core/checkout.js';
import { ProposeError } from '../core/errors.js';
import { run } from '../core/exec.js';
import {
  type Diagnosis,
  type Incident,
  type Patch,
  Proposal,
  SCHEMA_VERSION,
  type Verification,
} from '../core/model.js';
import type { Forge } from './forge.js';
import { GitHubForge } from './github-forge.js';
import { parsePullUrl } from './github-review.js';
import { LocalForge } from './local-forge.js';

export type { Forge, Published, ReviewRequest, ReviewStatus } from './forge.js';
export { GitHubForge, type GitHubForgeOptions } from './github-forge.js';
export { parsePullUrl } from './github-review.js';
export { LocalForge } from './local-forge.js';

export interface ProposeInput {
  incident: Incident;
  diagnosis: Diagnosis;
  patch: Patch;
  verification: Verification;
  /** Markdown for the review (from the report stage). */
  body: string;
}

export interface ProposeOptions {
  /** The run's checkout (a git repository on the base branch). */
  repoDir: string;
  forge: Forge;
  now?: () => Date;
}

/**
 * The forge a stored proposal was published on, rebuilt from the proposal alone (its pull-request
 * URL names the repository), e.g. for `medic rollout` to read its review. The local provider's
 * review file sits in the run directory.
 */
export function forgeOfProposal(
  proposal: Proposal,
  options: { runDir: string; github: { apiUrl: string; token?: string } },
): Forge {
  if (proposal.provider === 'local') return new LocalForge(options.runDir);
  const pull = proposal.url === undefined ? undefined : parsePullUrl(proposal.url);
  if (pull === undefined) {
    throw new ProposeError(
      'MEDIC_ERR_PROPOSE_NOT_PUBLISHED',
      `proposal.url ${proposal.url ?? '(none)'} is not a pull-request URL`,
    );
  }
  return new GitHubForge({
    owner: pull.owner,
    repo: pull.repo,
    apiUrl: options.github.apiUrl,
    ...(options.github.token ? { token: options.github.token } : {}),
  });
}

export function branchFor(incidentId: string): string {
  return `medic/${incidentId}`;
}

export async function propose(input: ProposeInput, options: ProposeOptions): Promise<Proposal> {
  const { incident, diagnosis, patch, verification } = input;
  if (verification.verdict !== 'verified' || verification.patchRank !== patch.rank) {
    throw new ProposeError(
      'MEDIC_ERR_PROPOSE_NOT_VERIFIED',
      `patch ${patch.rank} of ${incident.id} is ${verification.verdict}: ${verification.reason}`,
    );
  }
  const repo = options.repoDir;
  const branch = branchFor(incident.id);
  const baseBranch = await git(repo, ['rev-parse', '--abbrev-ref', 'HEAD']);
  const title = titleFor(diagnosis);
  const existing = await branchHead(repo, branch);
  // Idempotent: a retried propose finds the branch it made and does not commit twice.
  const commit = existing ?? (await commitPatch(repo, branch, baseBranch, input, title));
  const published = await options.forge.publish({
    incident,
    repoDir: repo,
    branch,
    baseBranch,
    commit,
    title,
    body: input.body,
  });
  return Proposal.parse({
    schemaVersion: SCHEMA_VERSION,
    incidentId: incident.id,
    provider: options.forge.name,
    branch,
    baseBranch,
    commit,
    ...published,
    title,
    body: input.body,
    createdAt: (options.now ?? (() => new Date()))().toISOString(),
  });
}

async function branchHead(repo: string, branch: string): Promise<string | undefined> {
  const result = await run(['git', 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], {
    cwd: repo,
  });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

async function commitPatch(
  repo: string,
  branch: string,
  baseBranch: string,
  input: ProposeInput,
  title: string,
): Promise<string> {
  await git(repo, ['checkout', '--quiet', '-b', branch]);
  try {
    const applied = await run(['git', 'apply', '--whitespace=nowarn', '-'], {
      cwd: repo,
      input: input.patch.diff,
    });
    if (applied.exitCode !== 0) {
      throw new ProposeError('MEDIC_ERR_PROPOSE_GIT', `the patch does not apply: ${applied.stderr.trim()}`);
    }
    const test = input.patch.regressionTest;
    if (test !== undefined) {
      const file = join(repo, test.file);
      if (!existsSync(dirname(file))) await mkdir(dirname(file), { recursive: true });
      await writeFile(file, test.source);
    }
    await git(repo, ['add', '--all']);
    await git(repo, ['commit', '--quiet', '--no-verify', '-m', commitMessage(title, input)]);
    const commit = await git(repo, ['rev-parse', 'HEAD']);
    await git(repo, ['checkout', '--quiet', baseBranch]);
    return commit;
  } catch (error) {
    // Leave no half-made branch behind: a retry would take it for the finished proposal.
    await git(repo, ['reset', '--quiet', '--hard']);
    await git(repo, ['clean', '--quiet', '-fd']);
    await git(repo, ['checkout', '--quiet', baseBranch]);
    await git(repo, ['branch', '--quiet', '-D', branch]);
    throw error;
  }
}

function titleFor(diagnosis: Diagnosis): string {
  const fn = diagnosis.location.function.split('/').pop() ?? diagnosis.location.function;
  return `Fix ${diagnosis.rootCauseClass} in ${fn}`;
}

/** The commit message holds the diagnosis, so `git log` alone explains the change. */
function commitMessage(title: string, { incident, diagnosis, patch, verification }: ProposeInput): string {
  const where = `${diagnosis.location.file}:${diagnosis.location.line}`;
  const checks = verification.checks.map((c) => `- ${c.name}: ${c.outcome} (${Math.round(c.durationMs)} ms)`);
  return [
    title,
    '',
    `Root cause (${diagnosis.rootCauseClass}) at ${where} in ${diagnosis.location.function}:`,
    diagnosis.summary,
    '',
    `Mechanism: ${diagnosis.mechanism}`,
    `Counterfactual: ${diagnosis.counterfactual}`,
    `Fix (${patch.strategy}): ${patch.explanation}`,
    '',
    'Verification:',
    ...checks,
    '',
    `Medic-Incident: ${incident.id}`,
    `Medic-Diagnosis: ${diagnosis.provider}${diagnosis.model ? ` ${diagnosis.model}` : ''}, confidence ${diagnosis.confidence.toFixed(2)}`,
  ].join('\n');
}
