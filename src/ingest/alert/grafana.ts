/**
 * Grafana unified alerting's webhook payload, validated at the edge and mapped to an AlertNotice.
 * Format: https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/
 */
import { z } from 'zod';
import { AlertmanagerAlert, AlertmanagerWebhook, toNotice } from './alertmanager.js';
import type { AlertNotice } from './notice.js';

/** Grafana's alert carries Alertmanager's fields and links and values of its own. */
export const GrafanaAlert = AlertmanagerAlert.extend({
  silenceURL: z.string().optional(),
  dashboardURL: z.string().optional(),
  panelURL: z.string().optional(),
  /** Values of the rule's queries at evaluation: numbers, or null for no data. */
  values: z.record(z.string(), z.number().nullable()).nullable().optional(),
  valueString: z.string().optional(),
  imageURL: z.string().optional(),
});

export const GrafanaWebhook = AlertmanagerWebhook.extend({
  orgId: z.number().int(),
  alerts: z.array(GrafanaAlert).min(1).max(1000),
  version: z.string(),
  title: z.string().optional(),
  state: z.string().optional(),
  message: z.string().optional(),
});
export type GrafanaWebhook = z.infer<typeof GrafanaWebhook>;

export function fromGrafana(payload: GrafanaWebhook): AlertNotice {
  // Group keys are per organisation in Grafana.
  return toNotice('grafana', `${payload.orgId}/${payload.groupKey}`, payload);
}
