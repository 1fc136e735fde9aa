// Alertmanager and Grafana webhook payloads: validation at the edge and the mapping to notices and incidents.
import { describe, expect, it } from 'vitest';
import { alertmanagerPayload, grafanaPayload } from '../../../test/service/payloads.js';
import {
  AlertmanagerWebhook,
  fromAlertmanager,
  fromGrafana,
  GrafanaWebhook,
  incidentFromNotice,
  matchService,
} from './index.js';

const alertmanager = (status: 'firing' | 'resolved' = 'firing') =>
  alertmanagerPayload({ status, labels: { revision: 'abc1234' } });
const grafana = () =>
  grafanaPayload({ alertname: 'Errors', service: 'billing', message: 'Errors are firing' });

describe('alert payloads', () => {
  it('maps an Alertmanager v4 notification; the zero end time means still firing', () => {
    const notice = fromAlertmanager(AlertmanagerWebhook.parse(alertmanager()));
    expect(notice).toMatchObject({
      source: 'alertmanager',
      status: 'firing',
      groupKey: '{}:{alertname="GoPanics"}',
    });
    expect(notice.alerts[0]?.endsAt).toBeUndefined();
    expect(fromAlertmanager(AlertmanagerWebhook.parse(alertmanager('resolved'))).alerts[0]?.endsAt).toBe(
      '2026-11-21T10:05:00Z',
    );
  });

  it('maps a Grafana notification, its group key scoped by organisation', () => {
    const notice = fromGrafana(GrafanaWebhook.parse(grafana()));
    expect(notice).toMatchObject({
      source: 'grafana',
      groupKey: '1/{}/{}:{alertname="Errors"}',
      commonLabels: { service: 'billing' },
    });
  });

  it('refuses payloads of another shape, naming the fields', () => {
    const wrongVersion = AlertmanagerWebhook.safeParse({ ...alertmanager(), version: '3' });
    expect(wrongVersion.success).toBe(false);
    const noAlerts = AlertmanagerWebhook.safeParse({ ...alertmanager(), alerts: [] });
    expect(noAlerts.error?.issues[0]?.path).toEqual(['alerts']);
    expect(GrafanaWebhook.safeParse({ ...grafana(), orgId: 'one' }).error?.issues[0]?.path).toEqual([
      'orgId',
    ]);
  });

  it('matches services by labels and builds the incident, with the revision label', () => {
    const notice = fromAlertmanager(AlertmanagerWebhook.parse(alertmanager()));
    const entries = [
      { name: 'billing', match: { service: 'billing' } },
      { name: 'any', match: {} },
      { name: 'warehouse', match: { service: 'warehouse', alertname: 'GoPanics' } },
    ];
    expect(matchService(notice, entries)?.name).toBe('warehouse');
    expect(matchService(notice, entries.slice(0, 2))).toBeUndefined();
    const incident = incidentFromNotice(notice, {
      id: 'warehouse-1',
      receivedAt: new Date('2026-11-21T10:00:01Z'),
      service: {
        name: 'warehouse',
        repo: { path: '/src/warehouse' },
        mainPackage: '.',
        run: { args: [], env: {} },
      },
      artifacts: [],
      revisionLabel: 'revision',
    });
    expect(incident).toMatchObject({
      id: 'warehouse-1',
      source: 'alertmanager',
      title: 'warehouse panicked',
      service: { repo: { path: '/src/warehouse', revision: 'abc1234' } },
      alert: {
        groupKey: '{}:{alertname="GoPanics"}',
        status: 'firing',
        fingerprint: '3f2a',
        startsAt: '2026-11-21T10:00:00Z',
      },
    });
  });
});
