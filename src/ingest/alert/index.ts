/** Alert intake: Alertmanager and Grafana webhook payloads, validated and mapped to Incidents. */
export { AlertmanagerWebhook, fromAlertmanager } from './alertmanager.js';
export { fromGrafana, GrafanaWebhook } from './grafana.js';
export { type AlertNotice, type AlertStatus, leadAlert, matchLabels, type NoticeAlert } from './notice.js';
export {
  type IncidentFromAlert,
  incidentFromNotice,
  type LabelMatcher,
  matchService,
} from './to-incident.js';
