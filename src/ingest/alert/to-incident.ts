/** From an alert notice and the service it maps to, the Incident record intake stores. */
import { type ArtifactRef, type Incident, SCHEMA_VERSION, type ServiceRef } from '../../core/model.js';
import { type AlertNotice, leadAlert, matchLabels } from './notice.js';

/** One entry of the label → service mapping: every label in `match` must equal the alert's. */
export interface LabelMatcher {
  match: Record<string, string>;
}

/** The first entry whose `match` labels all equal the notice's labels; entries with no labels match nothing. */
export function matchService<T extends LabelMatcher>(
  notice: AlertNotice,
  entries: readonly T[],
): T | undefined {
  const labels = matchLabels(notice);
  return entries.find((entry) => {
    const pairs = Object.entries(entry.match);
    return pairs.length > 0 && pairs.every(([name, value]) => labels[name] === value);
  });
}

export interface IncidentFromAlert {
  id: string;
  receivedAt: Date;
  service: ServiceRef;
  artifacts: ArtifactRef[];
  /** Label whose value, when present, is the git revision the service runs. */
  revisionLabel?: string;
}

export function incidentFromNotice(notice: AlertNotice, input: IncidentFromAlert): Incident {
  const lead = leadAlert(notice);
  const labels = matchLabels(notice);
  const revision = input.revisionLabel === undefined ? undefined : labels[input.revisionLabel];
  const service: ServiceRef =
    revision === undefined ? input.service : { ...input.service, repo: { ...input.service.repo, revision } };
  return {
    schemaVersion: SCHEMA_VERSION,
    id: input.id,
    source: notice.source,
    receivedAt: input.receivedAt.toISOString(),
    title: titleOf(notice),
    service,
    artifacts: input.artifacts,
    alert: {
      ...(lead?.fingerprint ? { fingerprint: lead.fingerprint } : {}),
      groupKey: notice.groupKey,
      status: notice.status,
      labels: lead?.labels ?? notice.commonLabels,
      annotations: lead?.annotations ?? notice.commonAnnotations,
      ...(lead ? { startsAt: lead.startsAt } : {}),
    },
  };
}

/** A human title: the alert's summary annotation, else its name and service. */
function titleOf(notice: AlertNotice): string {
  const lead = leadAlert(notice);
  const annotations = { ...notice.commonAnnotations, ...(lead?.annotations ?? {}) };
  const labels = matchLabels(notice);
  const title =
    annotations.summary ??
    annotations.title ??
    [labels.alertname, labels.service].filter(Boolean).join(' on ');
  return (title || `alert group ${notice.groupKey}`).slice(0, 300);
}
