/** Chooses the forge for an incident's service from configuration: `local` (the default) or `github`. */
import { ConfigError } from '../core/errors.js';
import type { Incident } from '../core/model.js';
import { type Forge, GitHubForge, LocalForge } from '../propose/index.js';
import type { ServiceConfig } from './config.js';

/** The forge of `provider` (default: the configured one; a stored proposal names its own). */
export function forgeFor(
  config: ServiceConfig,
  incident: Incident,
  runDir: string,
  provider: 'local' | 'github' = config.forge.provider,
): Forge {
  if (provider === 'local') return new LocalForge(runDir);
  const entry = config.services.find((s) => s.name === incident.service.name);
  const target = entry?.github ?? githubRepoOf(incident.service.repo.url);
  if (target === undefined) {
    throw new ConfigError(
      'MEDIC_ERR_CONFIG_INVALID',
      `service ${incident.service.name}: the github provider needs service.services[].github {owner, repo} or a github.com repo.url`,
    );
  }
  if (config.githubToken === undefined) {
    throw new ConfigError('MEDIC_ERR_CONFIG_INVALID', 'the github provider needs MEDIC_GITHUB_TOKEN');
  }
  const github = config.forge.github;
  return new GitHubForge({
    ...target,
    token: config.githubToken,
    apiUrl: github.apiUrl,
    pushUrl: github.pushUrl.replaceAll('{owner}', target.owner).replaceAll('{repo}', target.repo),
    baseBranch: incident.service.repo.branch ?? entry?.repo.branch ?? 'main',
    labels: entry?.labels ?? config.forge.labels,
    reviewers: entry?.reviewers ?? config.forge.reviewers,
    teamReviewers: config.forge.teamReviewers,
    draft: github.draft,
  });
}

/** `owner` and `repo` of a github.com URL (https or ssh form). */
export function githubRepoOf(url: string | undefined): { owner: string; repo: string } | undefined {
  if (url === undefined) return undefined;
  const match = /github\.com[/:]([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
  return match?.[1] && match[2] ? { owner: match[1], repo: match[2] } : undefined;
}
