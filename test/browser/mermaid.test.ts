/**
 * The Mermaid export, rendered: `dnsmc export --format mermaid` of the race,
 * drawn by mermaid itself (the devDependency's own bundle,
 * node_modules/mermaid/dist/mermaid.min.js, loaded into Debian's Chromium
 * from the file; no network) the way GitHub and other renderers draw it.
 * Checks what the text alone cannot: the violation is on red, and no note's
 * text runs out of its box. Without Chromium this test fails, it does not
 * skip.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { naiveMutexModel } from '../../models/toys/index.js';
import { check } from '../../checker/explore/bfs.js';
import { toMermaid } from '../../traces/mermaid.js';
import { traceOf } from '../../traces/trace.js';
import { CHROMIUM, launchChromium } from '../support/chromium.js';
import { ROOT, run } from '../support/cli.js';

const MERMAID = join(ROOT, 'node_modules', 'mermaid', 'dist', 'mermaid.min.js');
const dir = mkdtempSync(join(tmpdir(), 'dnsmc-mermaid-'));
let browser: Browser | undefined;

beforeAll(async () => {
  browser = await launchChromium(); // when undefined, each test fails, naming what is missing
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A note as drawn: its text lines, its box, the lines' extent, and the red ground (rgb(255, 205, 205)) it lies on, if any. */
interface DrawnNote {
  text: string;
  box: { left: number; right: number; top: number; bottom: number };
  lines: { left: number; right: number; top: number; bottom: number };
  onRed: boolean;
}

/** Renders a sequence diagram with mermaid in Chromium; every request the page makes is returned too. */
async function render(source: string, shot: string): Promise<{ notes: DrawnNote[]; requests: string[]; errors: string[] }> {
  if (!browser) throw new Error(`Chromium is not installed at ${CHROMIUM}: the rendered Mermaid test needs it (apt-get install -y chromium)`);
  if (!existsSync(MERMAID)) throw new Error(`mermaid is not installed at ${MERMAID}: npm ci installs it (a devDependency)`);
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(600_000);
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  const blank = join(dir, 'blank.html');
  writeFileSync(blank, '<!DOCTYPE html><html><body><div id="diagram"></div></body></html>');
  await page.goto(pathToFileURL(blank).href);
  await page.addScriptTag({ path: MERMAID });
  const notes = await page.evaluate(async (src) => {
    const m = (window as unknown as { mermaid: { initialize(c: object): void; render(id: string, s: string): Promise<{ svg: string }> } }).mermaid;
    m.initialize({ startOnLoad: false, securityLevel: 'strict' });
    const { svg } = await m.render('trace', src);
    const host = document.getElementById('diagram')!;
    // The SVG mermaid made, put in the page as the renderers do.
    host.innerHTML = svg;
    const box = (r: DOMRect) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom });
    const grounds = [...host.querySelectorAll('rect')]
      .filter((r) => /^rgb\(255, ?205, ?205\)$/.test(r.getAttribute('fill') ?? ''))
      .map((r) => r.getBoundingClientRect());
    return [...host.querySelectorAll('rect.note')].map((rect) => {
      const r = rect.getBoundingClientRect();
      const lines = [...(rect.parentElement as Element).querySelectorAll('text')].map((t) => t.getBoundingClientRect());
      return {
        text: [...(rect.parentElement as Element).querySelectorAll('text')].map((t) => t.textContent ?? '').join(' '),
        box: box(r),
        lines: {
          left: Math.min(...lines.map((l) => l.left)),
          right: Math.max(...lines.map((l) => l.right)),
          top: Math.min(...lines.map((l) => l.top)),
          bottom: Math.max(...lines.map((l) => l.bottom)),
        },
        onRed: grounds.some((g) => g.left <= r.left && g.right >= r.right && g.top <= r.top && g.bottom >= r.bottom),
      };
    });
  }, source);
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  await page.screenshot({ path: join(ROOT, 'test-output', shot), fullPage: true });
  await page.close();
  return { notes, requests, errors };
}

/** Where a note's text runs out of its box (1 px of rounding allowed), as readable strings. */
const overflowing = (notes: readonly DrawnNote[]): string[] =>
  notes
    .filter((n) => n.lines.left < n.box.left - 1 || n.lines.right > n.box.right + 1 || n.lines.top < n.box.top - 1 || n.lines.bottom > n.box.bottom + 1)
    .map(
      (n) =>
        `${n.text.slice(0, 50)}: text ${Math.round(n.lines.left)}..${Math.round(n.lines.right)}, box ${Math.round(n.box.left)}..${Math.round(n.box.right)}`,
    );

describe('the Mermaid export of the race, rendered by mermaid', () => {
  it('the violation note is on red and says VIOLATION; no note’s text overflows its box; nothing is fetched', async () => {
    const trace = join(dir, 'race.json');
    const out = join(dir, 'race.mmd');
    expect((await run(['check', '--variant', 'as-was', '--property', 'aliasResolves', '--trace-out', trace, '--quiet'])).code).toBe(1);
    expect((await run(['export', trace, '--format', 'mermaid', '--out', out, '--quiet'])).code).toBe(0);
    const { notes, requests, errors } = await render(readFileSync(out, 'utf8'), 'mermaid-race.png');
    expect(errors).toEqual([]);
    expect(requests.every((u) => u.startsWith('file:'))).toBe(true);
    // The title note, twelve narrations, noRollback's and the violation.
    expect(notes).toHaveLength(15);
    const violation = notes.filter((n) => n.text.startsWith('VIOLATION: aliasResolves breaks here'));
    expect(violation).toHaveLength(1);
    expect(violation[0].onRed).toBe(true);
    // On red: the violation, and the narration of its step (12); nothing else.
    expect(notes.filter((n) => n.onRed).map((n) => n.text.slice(0, 19))).toEqual(['enactor 1 cleans up', 'VIOLATION: aliasRes']);
    expect(overflowing(notes)).toEqual([]);
  });

  it('a model of two lanes: notes across both lanes are narrower, and still hold their text', async () => {
    const model = naiveMutexModel(2);
    const { notes, errors } = await render(toMermaid(traceOf(model, check(model).violations[0])), 'mermaid-naive-mutex.png');
    expect(errors).toEqual([]);
    expect(notes.filter((n) => n.text.startsWith('VIOLATION: mutualExclusion breaks')).map((n) => n.onRed)).toEqual([true]);
    expect(overflowing(notes)).toEqual([]);
  });
});
