/** Webhook payloads for the tests and the intake bench, shaped as Alertmanager (v4) and Grafana send them. */

export interface AlertmanagerOptions {
  groupKey?: string;
  status?: 'firing' | 'resolved';
  service?: string;
  /** More labels on the alert and the group (a revision, an instance). */
  labels?: Record<string, string>;
  fingerprint?: string;
}

export function alertmanagerPayload(options: AlertmanagerOptions = {}) {
  const status = options.status ?? 'firing';
  const labels = { alertname: 'GoPanics', service: options.service ?? 'warehouse', ...options.labels };
  return {
    version: '4',
    groupKey: options.groupKey ?? '{}:{alertname="GoPanics"}',
    truncatedAlerts: 0,
    status,
    receiver: 'medic',
    groupLabels: { alertname: 'GoPanics' },
    commonLabels: labels,
    commonAnnotations: { summary: 'warehouse panicked' },
    externalURL: 'http://127.0.0.1:9093',
    alerts: [
      {
        status,
        labels,
        annotations: { summary: 'warehouse panicked' },
        startsAt: '2026-11-21T10:00:00Z',
        endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-11-21T10:05:00Z',
        generatorURL: 'http://127.0.0.1:9090/graph',
        fingerprint: options.fingerprint ?? '3f2a',
      },
    ],
  };
}

export interface GrafanaOptions {
  groupKey?: string;
  alertname?: string;
  service?: string;
  message?: string;
}

export function grafanaPayload(options: GrafanaOptions = {}) {
  const alertname = options.alertname ?? 'GoPanics';
  const labels = { alertname, service: options.service ?? 'warehouse' };
  return {
    receiver: 'medic',
    status: 'firing',
    orgId: 1,
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: {},
        startsAt: '2026-11-21T10:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://grafana/alerting/grafana/x/view',
        fingerprint: 'g1',
        silenceURL: 'http://grafana/alerting/silence/new',
        dashboardURL: '',
        panelURL: '',
        // A query that returned no value is null.
        values: { B: 3, C: null },
        valueString: "[ var='B' value=3 ]",
      },
    ],
    groupLabels: { alertname },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://grafana/',
    version: '1',
    groupKey: options.groupKey ?? `{}/{}:{alertname="${alertname}"}`,
    truncatedAlerts: 0,
    title: `[FIRING:1] ${alertname}`,
    state: 'alerting',
    message: options.message ?? '',
  };
}
