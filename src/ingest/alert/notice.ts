/**
 * AlertNotice: one notification from an alerting system (an alert group), in Medic's own terms.
 * The wire formats (Alertmanager, Grafana) are mapped onto it at the edge and go no further.
 */
export type AlertStatus = 'firing' | 'resolved';

export interface NoticeAlert {
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** ISO time the alert started firing. */
  startsAt: string;
  /** ISO time it resolved, when it has. */
  endsAt?: string;
  fingerprint?: string;
  /** Link back to the rule's expression in the alerting system. */
  generatorUrl?: string;
}

export interface AlertNotice {
  source: 'alertmanager' | 'grafana';
  /** The sender's key for the alert group: the same group on every delivery. */
  groupKey: string;
  status: AlertStatus;
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalUrl?: string;
  alerts: NoticeAlert[];
}

/** The alert a notice is about: its first firing alert, else its first alert. */
export function leadAlert(notice: AlertNotice): NoticeAlert | undefined {
  return notice.alerts.find((a) => a.status === 'firing') ?? notice.alerts[0];
}

/** Labels to match a notice against the service mapping: the group's common labels, then the lead alert's. */
export function matchLabels(notice: AlertNotice): Record<string, string> {
  return { ...notice.commonLabels, ...(leadAlert(notice)?.labels ?? {}) };
}
