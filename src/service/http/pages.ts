/**
 * The review pages, behind the API's credentials: `/incidents` lists incidents (status, class,
 * service, age) linking to `/incidents/:id`, the self-contained HTML report rendered from the
 * ledger's records.
 */
import { z } from 'zod';
import { IncidentId } from '../../core/model.js';
import { renderHtml } from '../../report/index.js';
import { sourceSettings } from '../config.js';
import { listIncidents, reportRecordsOf } from '../ledger/queries.js';
import type { App, AppDeps } from './app.js';
import { checkCredentials } from './auth.js';
import { ListQuery } from './routes-read.js';

export function registerPages(app: App, deps: AppDeps): void {
  const { auth } = sourceSettings(deps.config, 'api');
  const onRequest = async (request: { headers: Record<string, string | string[] | undefined> }) => {
    if (auth !== undefined) checkCredentials(request.headers, auth);
  };

  app.get('/incidents', { schema: { querystring: ListQuery }, onRequest }, async (request, reply) => {
    const rows = await listIncidents(deps.ledger, {
      limit: request.query.limit,
      ...(request.query.status ? { status: request.query.status } : {}),
    });
    const now = Date.now();
    const body = rows
      .map(
        (row) =>
          `<tr><td><a href="/incidents/${encodeURIComponent(row.id)}">${escapeHtml(row.id)}</a></td>` +
          `<td class="status ${escapeHtml(row.status)}">${escapeHtml(row.status)}</td>` +
          `<td>${escapeHtml(row.failureClass ?? '—')}</td><td>${escapeHtml(row.service)}</td>` +
          `<td title="${row.createdAt.toISOString()}">${age(now - row.createdAt.getTime())}</td>` +
          `<td>${escapeHtml(row.title ?? '')}</td></tr>`,
      )
      .join('\n');
    return reply.type('text/html; charset=utf-8').send(listPage(body, rows.length));
  });

  app.get(
    '/incidents/:id',
    { schema: { params: z.object({ id: IncidentId }) }, onRequest },
    async (request, reply) => {
      const records = await reportRecordsOf(deps.ledger, request.params.id);
      return reply.type('text/html; charset=utf-8').send(renderHtml(records));
    },
  );
}

function listPage(rows: string, count: number): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Medic — incidents</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd}
th{background:#f4f4f4}.status.proposed{color:#17692b}.status.failed,.status.no-fix{color:#a31515}
</style></head><body>
<h1>Incidents</h1><p>${count} most recent.</p>
<table><thead><tr><th>incident</th><th>status</th><th>class</th><th>service</th><th>age</th><th>title</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}

/** A short age: 45 s, 12 min, 3 h, 2 d. */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
