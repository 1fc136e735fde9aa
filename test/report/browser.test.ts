// Every fixture's HTML report in a real browser (Debian's chromium via playwright-core):
// no console errors, flame graphs and timelines with content, a screenshot kept for CI.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIncidentDir } from '../../src/core/incident-dir.js';
import { diagnose } from '../../src/diagnose/index.js';
import { ingest } from '../../src/ingest/index.js';
import { renderHtml } from '../../src/report/index.js';

const CHROMIUM = '/usr/bin/chromium';
const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'incidents');
const SHOTS = join(import.meta.dirname, '..', '.artifacts', 'reports');
const fixtures = readdirSync(FIXTURES).filter((id) => existsSync(join(FIXTURES, id, 'incident.json')));

if (!existsSync(CHROMIUM))
  console.warn(`report browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

describe.skipIf(!existsSync(CHROMIUM))('HTML reports in chromium', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    dir = await mkdtemp(join(tmpdir(), 'medic-report-'));
    await mkdir(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(fixtures)('%s renders with pictures and no console errors', async (id) => {
    const source = await loadIncidentDir(join(FIXTURES, id));
    const evidence = await ingest(source.incident, { incidentDir: source.dir, repoDir: source.repoDir });
    const diagnosis = await diagnose(evidence, source.incident, {
      repoDir: source.repoDir,
      provider: 'rules',
    }).catch(() => undefined);
    const file = join(dir, `${id}.html`);
    const outcome = { status: 'no-fix' as const, reason: 'report test: not patched' };
    await writeFile(
      file,
      renderHtml({ incident: source.incident, evidence, ...(diagnosis ? { diagnosis } : {}), outcome }),
    );

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) errors.push(`network request to ${r.url()}`);
    });
    await page.goto(`file://${file}`);
    expect(await page.title()).toBe(`Medic: ${source.incident.id}`);
    if (evidence.profiles.some((p) => p.flame !== undefined)) {
      expect(await page.locator('figure.flame svg rect').count()).toBeGreaterThan(3);
      expect(await page.locator('figure.flame svg').first().boundingBox()).toMatchObject({
        width: expect.any(Number),
      });
    }
    if (evidence.trace) {
      expect(await page.locator('figure.timeline svg rect').count()).toBeGreaterThan(0);
    }
    if (evidence.failure)
      expect(await page.locator('#failure').textContent()).toContain(evidence.failure.class);
    await page.screenshot({ path: join(SHOTS, `${id}.png`), fullPage: true });
    await page.close();
    expect(errors).toEqual([]);
  });
});
