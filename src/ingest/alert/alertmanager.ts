/**
 * Alertmanager's webhook payload (version 4), validated at the edge and mapped to an AlertNotice.
 * Format: https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
 */
import { z } from 'zod';
import type { AlertNotice, NoticeAlert } from './notice.js';

const Labels = z.record(z.string(), z.string());
const Status = z.enum(['firing', 'resolved']);

export const AlertmanagerAlert = z.object({
  status: Status,
  labels: Labels,
  annotations: Labels.default({}),
  startsAt: z.string(),
  /** Alertmanager sends the zero time `0001-01-01T00:00:00Z` while the alert fires. */
  endsAt: z.string().optional(),
  generatorURL: z.string().default(''),
  fingerprint: z.string().default(''),
});

export const AlertmanagerWebhook = z.object({
  version: z.literal('4'),
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: Status,
  receiver: z.string(),
  groupLabels: Labels.default({}),
  commonLabels: Labels.default({}),
  commonAnnotations: Labels.default({}),
  externalURL: z.string().default(''),
  alerts: z.array(AlertmanagerAlert).min(1).max(1000),
});
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhook>;

export function fromAlertmanager(payload: AlertmanagerWebhook): AlertNotice {
  return toNotice('alertmanager', payload.groupKey, payload);
}

/** The notice of a payload of either sender (Grafana's extends Alertmanager's). */
export function toNotice(
  source: AlertNotice['source'],
  groupKey: string,
  payload: Omit<AlertmanagerWebhook, 'version'>,
): AlertNotice {
  return {
    source,
    groupKey,
    status: payload.status,
    receiver: payload.receiver,
    groupLabels: payload.groupLabels,
    commonLabels: payload.commonLabels,
    commonAnnotations: payload.commonAnnotations,
    ...(payload.externalURL ? { externalUrl: payload.externalURL } : {}),
    alerts: payload.alerts.map(noticeAlert),
  };
}

/** One alert of either sender (the two formats share these fields) as a NoticeAlert. */
export function noticeAlert(a: {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string | undefined;
  fingerprint: string;
  generatorURL: string;
}): NoticeAlert {
  return {
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    ...(realEnd(a.endsAt) ? { endsAt: a.endsAt } : {}),
    ...(a.fingerprint ? { fingerprint: a.fingerprint } : {}),
    ...(a.generatorURL ? { generatorUrl: a.generatorURL } : {}),
  };
}

/** The zero time (year 1) means "not ended"; both senders use it. */
export function realEnd(endsAt: string | undefined): endsAt is string {
  return endsAt !== undefined && endsAt !== '' && !endsAt.startsWith('0001-');
}
