/**
 * The risk chart (`dnsmc risk --sweep ... --html`) in a real browser:
 * Debian's Chromium driven with playwright-core, as the viewer's test does.
 * The page is made by the command (run in process) over a small sweep of
 * the slow enactor's delay. Without Chromium this test fails, it does not skip.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../support/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'dnsmc-risk-chart-'));
const page = join(dir, 'risk.html');
let browser: Browser | undefined;

beforeAll(async () => {
  const r = await run(['risk', '--sweep', 'slow-ms=0:60:20', '--property', 'aliasResolves', '--runs', '8', '--horizon', '60', '--html', page]);
  if (r.code !== 0) throw new Error(`dnsmc risk exited ${r.code}: ${r.stderr}`);
  if (!existsSync(CHROMIUM)) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: 600_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
});

describe('the risk chart page', () => {
  it('has labelled axes, a confidence band per series, and tells as-was from fixed by colour, line style and legend; offline, no script', async () => {
    if (!browser) throw new Error(`Chromium is not installed at ${CHROMIUM}: the chart's browser test needs it`);
    const p = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    p.setDefaultTimeout(600_000);
    const requests: string[] = [];
    const errors: string[] = [];
    p.on('request', (r) => requests.push(r.url()));
    p.on('pageerror', (e) => errors.push(e.message));
    const url = pathToFileURL(page).href;
    await p.goto(url);
    // Nothing fetched but the page itself, no script, no error.
    expect(requests).toEqual([url]);
    expect(errors).toEqual([]);
    expect(await p.evaluate(() => document.scripts.length)).toBe(0);
    // Axis labels, rendered (a box of some size inside the drawing).
    const label = async (axis: string): Promise<{ text: string; width: number; height: number }> =>
      p.evaluate((a) => {
        const t = document.querySelector(`.${a} .axis-label`) as SVGTextElement;
        const b = t.getBoundingClientRect();
        return { text: t.textContent ?? '', width: b.width, height: b.height };
      }, axis);
    const x = await label('x-axis');
    const y = await label('y-axis');
    expect(x.text).toBe('slow actor’s extra delay (ms)');
    expect(y.text).toBe('P(aliasResolves breaks within 1.0 min)');
    expect(x.width).toBeGreaterThan(50);
    // The y label is turned on its side: taller than wide.
    expect(y.height).toBeGreaterThan(y.width);
    expect(await p.locator('.x-axis .tick').allTextContents()).toEqual(['0', '10', '20', '30', '40', '50', '60']);
    expect(await p.locator('.y-axis .tick').allTextContents()).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1']);
    // One band per series, each a visible filled area.
    const bands = await p.evaluate(() =>
      [...document.querySelectorAll('polygon.band')].map((b) => {
        const r = b.getBoundingClientRect();
        return {
          series: b.getAttribute('data-series'),
          fill: getComputedStyle(b).fill,
          opacity: Number(getComputedStyle(b).fillOpacity),
          area: r.width * r.height,
        };
      }),
    );
    expect(bands.map((b) => b.series)).toEqual(['as-was', 'fixed']);
    for (const b of bands) {
      expect(b.opacity).toBeGreaterThan(0);
      expect(b.opacity).toBeLessThan(1);
      expect(b.area).toBeGreaterThan(100);
    }
    // The two series: different colours and line styles, each with a point per delay.
    const lines = await p.evaluate(() =>
      [...document.querySelectorAll('.series')].map((g) => {
        const l = g.querySelector('polyline') as SVGPolylineElement;
        const s = getComputedStyle(l);
        return { series: g.getAttribute('data-series'), stroke: s.stroke, dash: s.strokeDasharray, points: l.points.numberOfItems };
      }),
    );
    expect(lines.map((l) => [l.series, l.points])).toEqual([
      ['as-was', 4],
      ['fixed', 4],
    ]);
    expect(lines[0].stroke).not.toBe(lines[1].stroke);
    expect(lines[0].dash).toBe('none');
    expect(lines[1].dash).not.toBe('none');
    expect(bands[0].fill).toBe(lines[0].stroke);
    expect(bands[1].fill).toBe(lines[1].stroke);
    // The legend names both, each with its own line style.
    const legend = await p.evaluate(() =>
      [...document.querySelectorAll('.legend-entry')].map((e) => ({
        text: e.querySelector('text')?.textContent,
        stroke: getComputedStyle(e.querySelector('line') as Element).stroke,
      })),
    );
    expect(legend).toEqual([
      { text: 'as-was', stroke: lines[0].stroke },
      { text: 'fixed', stroke: lines[1].stroke },
    ]);
    // The fixed protocol's line lies on 0 at every delay; as-was's rises above it once the delay is there.
    const ys = await p.evaluate(() => [...document.querySelectorAll('.series polyline')].map((l) => [...(l as SVGPolylineElement).points].map((pt) => pt.y)));
    const zero = ys[1][0];
    expect(ys[1].every((v) => v === zero)).toBe(true);
    expect(Math.min(...ys[0])).toBeLessThan(zero);
    // The figures as a table too.
    expect(await p.locator('table.figures tbody tr').count()).toBe(8);
    await p.screenshot({ path: join(dir, 'risk.png') });
    await p.close();
  });
});
