/**
 * The trace viewer in a real browser: Debian's Chromium (/usr/bin/chromium,
 * which .ci/run installs), driven with playwright-core. The pages are made by
 * the real CLI (`npm test` compiles bin/ first). Without Chromium this test
 * fails, it does not skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewerPage } from '../../app/view.js';
import type { PictureNode, Presentation } from '../../checker/package/presentation.js';
import { replay } from '../../checker/model/replay.js';
import { dnsModel } from '../../models/dns/model.js';
import { dnsPresentation } from '../../models/dns/picture.js';
import { lockMutexModel } from '../../models/toys/index.js';
import { BIN, spawnCli } from '../support/cli.js';
import { CHROMIUM, launchChromium } from '../support/chromium.js';
import { parseTrace, traceFromReplay } from '../../traces/trace.js';

const ROOT = join(import.meta.dirname, '..', '..');
const OUT = join(ROOT, 'test-output');
/**
 * The README's pictures (docs/viewer-race.png, docs/viewer-compare.png): the race as its page opens (at
 * the breaking step) and the compare page, as a reader first sees them. Written to test-output/ on every run (`-docs` beside the
 * full-page shots); `DNSMC_UPDATE_PICTURES=1 npm test` writes them into docs/ as well, to be committed.
 */
const DOCS = process.env.DNSMC_UPDATE_PICTURES === '1' ? join(ROOT, 'docs') : undefined;
async function picture(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(OUT, name.replace(/\.png$/, '-docs.png')) });
  if (DOCS) await page.screenshot({ path: join(DOCS, name) });
}
const dir = mkdtempSync(join(tmpdir(), 'dnsmc-browser-'));
const HOSTILE = '</script><script>window.__pwned=1</script>';
const HOSTILE_IMG = '<img src=x onerror="window.__pwned=2">';

/** The binary end to end (the page a user gets); a failure to run is the test's failure. */
function dnsmc(...args: string[]): string {
  const r = spawnCli(args);
  if (r.code !== 0 && r.code !== 1) throw new Error(`dnsmc ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const MISSING = `Chromium is not installed at ${CHROMIUM}: the viewer's browser tests need it (apt-get install -y chromium; .ci/run installs it)`;
let browser: Browser | undefined;

/** The browser, or a failure (not a skip) of the test that needs it. */
function need(): Browser {
  if (!browser) throw new Error(MISSING);
  return browser;
}

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  dnsmc('check', '--variant', 'as-was', '--property', 'aliasResolves', '--view', join(dir, 'race.html'), '--trace-out', join(dir, 'race.json'));
  browser = await launchChromium(); // when undefined, every test fails with MISSING
});

afterAll(async () => {
  await browser?.close();
});

/** A page with everything it tries recorded: requests, console errors, uncaught errors. */
async function open(file: string, hash = ''): Promise<{ page: Page; requests: string[]; errors: string[]; url: string }> {
  const page = await need().newPage({ viewport: { width: 1440, height: 1000 } });
  // Waits are bounded only against a hang: a loaded machine is slow, not wrong.
  page.setDefaultTimeout(600_000);
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  const url = pathToFileURL(file).href;
  await page.goto(url + hash);
  return { page, requests, errors, url };
}

const text = (page: Page, sel: string): Promise<string> => page.locator(sel).first().innerText();
const attr = (page: Page, sel: string, name: string): Promise<string | null> => page.locator(sel).first().getAttribute(name);
const hashOf = (page: Page): Promise<string> => page.evaluate(() => location.hash);

/**
 * What overflows on the page as shown: the document's width against the window's, every HTML element with
 * text of its own whose box is narrower than its content, every SVG text outside its drawing.
 */
async function measure(page: Page): Promise<{ scroll: number; client: number; height: number; screen: number; clipped: string[]; outside: (string | null)[] }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    // Every HTML element with text of its own whose box is narrower than its content (scrollWidth > clientWidth).
    const clipped = [...document.querySelectorAll('body *')]
      .filter((e) => e instanceof HTMLElement && e.clientWidth > 0 && [...e.childNodes].some((n) => n.nodeType === 3 && (n.textContent ?? '').trim() !== ''))
      .filter((e) => e.scrollWidth > e.clientWidth + 1)
      .map((e) => `${e.tagName} ${(e.textContent ?? '').slice(0, 40)}`);
    // Every SVG text inside the drawing it belongs to.
    const outside = [...document.querySelectorAll('svg text')]
      .filter((t) => {
        const r = t.getBoundingClientRect();
        const o = (t as SVGTextElement).ownerSVGElement!.getBoundingClientRect();
        return r.width > 0 && (r.left < o.left - 1 || r.right > o.right + 1);
      })
      .map((t) => t.textContent);
    return { scroll: root.scrollWidth, client: root.clientWidth, height: root.scrollHeight, screen: window.innerHeight, clipped, outside };
  });
}

describe('the as-was race in the viewer', () => {
  it('opens at the breaking step, under a headline in plain words that names the endpoint and the deleted plan', async () => {
    const { page, errors } = await open(join(dir, 'race.html'));
    expect(await text(page, '[data-test=position]')).toBe('step 12 of 12');
    expect(await hashOf(page)).toBe('#step=12');
    expect(await attr(page, '[data-test=break][data-property=aliasResolves]', 'data-status')).toBe('violated-here');
    // The model package's words (presentation.headline), above the technical headline.
    expect(await text(page, '[data-test=plain-headline]')).toBe(
      "endpoint 0 resolves to nothing: enactor 0 pointed it back at plan 1 at step 11 (checked at step 2, when it was still the latest), then enactor 1's cleanup deleted plan 1 at step 12",
    );
    const [plainBox, h1Box] = [await page.locator('[data-test=plain-headline]').boundingBox(), await page.locator('header h1').boundingBox()];
    expect(plainBox!.y + plainBox!.height).toBeLessThanOrEqual(h1Box!.y);
    expect(await text(page, 'header h1')).toBe('dns (as-was): aliasResolves violated after 12 steps');
    // The README's picture: the page as it opens.
    await picture(page, 'viewer-race.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it("draws the root cause on the timeline: a red bar from enactor 0's check at step 2 to its use at step 11, labelled, inside the drawing", async () => {
    const { page, errors } = await open(join(dir, 'race.html'));
    const cause = page.locator('[data-test=pane-a] .timeline [data-test=root-cause]');
    expect(await cause.count()).toBe(1);
    expect([await cause.getAttribute('data-from'), await cause.getAttribute('data-to')]).toEqual(['2', '11']);
    expect(await cause.locator('[data-test=root-cause-label]').textContent()).toBe('checked at step 2 → used at step 11');
    expect(await cause.locator(':scope > title').textContent()).toBe(
      'enactor 0 checked at step 2 that plan 1 was the latest, and trusted that at step 11, when it pointed endpoint 0 at plan 1, though plan 3 was the latest by then',
    );
    for (const width of [1600, 900]) {
      await page.setViewportSize({ width, height: 1000 });
      const geometry = await page.locator('[data-test=pane-a] .timeline [data-test=root-cause-bar]').evaluate((bar) => {
        const svg = (bar as unknown as SVGGraphicsElement).ownerSVGElement as SVGSVGElement;
        const b = bar.getBoundingClientRect();
        const box = svg.getBoundingClientRect();
        const row = (n: number) => svg.querySelector(`g.row[data-row="${n}"]`)?.getBoundingClientRect();
        const [r2, r11] = [row(2), row(11)];
        const label = svg.querySelector('[data-test=root-cause-label]')?.getBoundingClientRect();
        // The first lane's line: the bar sits left of every lane, in a column of its own.
        const lane = svg.querySelector('line.laneline')?.getBoundingClientRect();
        return {
          inside: b.left >= box.left && b.right <= box.right && b.top >= box.top && b.bottom <= box.bottom,
          fromRow2: !!r2 && b.top >= r2.top && b.top <= r2.bottom,
          toRow11: !!r11 && b.bottom >= r11.top && b.bottom <= r11.bottom,
          leftOfLanes: !!lane && b.right < lane.left,
          labelBeside: !!label && label.top >= b.top - 1 && label.bottom <= b.bottom + 1 && label.left >= box.left && label.right < (lane?.left ?? 0),
          colour: getComputedStyle(bar).stroke,
        };
      });
      expect(geometry).toEqual({ inside: true, fromRow2: true, toRow11: true, leftOfLanes: true, labelBeside: true, colour: 'rgb(198, 40, 40)' });
      expect(await measure(page)).toMatchObject({ outside: [], clipped: [] });
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('steps through with the keyboard; at step 12 the alias points at plan 1, tree 1 is deleted and aliasResolves is marked violated', async () => {
    const { page, requests, errors, url } = await open(join(dir, 'race.html'));
    expect(await page.title()).toBe('dns (as-was): aliasResolves violated after 12 steps - dnsmc');
    // The rows can be reached with Tab (after the controls), and focusing one selects its step.
    const tabbed: string[] = [];
    for (let k = 0; k < 12 && tabbed.length < 2; k++) {
      await page.keyboard.press('Tab');
      const row = await page.evaluate(() => document.activeElement?.getAttribute('data-row') ?? null);
      if (row !== null) tabbed.push(row);
    }
    expect(tabbed).toEqual(['0', '1']);
    expect(await text(page, '[data-test=position]')).toBe('step 1 of 12');
    // The lane headers are their own drawing, which sticks to the top of the timeline.
    expect(await page.locator('[data-test=pane-a] .timeline-head').evaluate((e) => getComputedStyle(e).position)).toBe('sticky');
    // Why it breaks (dnsmc explain, drawn when the page was written): the orderings the race depends on.
    await page.locator('[data-test=explanation-a] summary').click();
    expect(await page.locator('[data-test=critical] li').count()).toBe(5);
    expect(await text(page, '[data-test=explanation-a] summary')).toBe('Why it breaks: 5 orderings this run depends on');
    // In plain sentences: each names the later step and the earlier one by number and actor; no parentheses nest.
    const orderings = await page.locator('[data-test=critical] li').allTextContents();
    expect(orderings[0]).toBe(
      'Step 2 (enactor 0 picks up plan 1, newest; the one-time freshness check passes) comes after step 1 (the planner publishes plan 1): it reads the latest plan number as step 1 left it; the other way round, step 2 could not be taken.',
    );
    for (const o of orderings) {
      expect(o).toMatch(/^Step \d+ \([^()]+\) comes after step \d+ \([^()]+\): [^()]+\.$/);
      expect(o).not.toMatch(/\([^()]*\(/);
    }
    const panelText = await text(page, '[data-test=explanation-a]');
    expect(panelText).not.toMatch(/what it (wrote|read)/);
    // Each ordering is drawn on the timeline: an arc from the earlier step's row to the later one's, inside the drawing;
    // all highlighted while the panel is open, one thicker while its sentence is hovered.
    const timeline = page.locator('[data-test=pane-a] .timeline');
    expect(await timeline.evaluate((e) => e.classList.contains('explaining'))).toBe(true);
    const arcs = await page.locator('[data-test=pane-a] .timeline path[data-test=ordering]').evaluateAll((ps) =>
      ps.map((p) => {
        const svg = (p as unknown as SVGGraphicsElement).ownerSVGElement as SVGSVGElement;
        const a = p.getBoundingClientRect();
        const box = svg.getBoundingClientRect();
        const row = (n: string | null) => svg.querySelector(`g.row[data-row="${n}"]`)?.getBoundingClientRect();
        const ra = row(p.getAttribute('data-before'));
        const rb = row(p.getAttribute('data-after'));
        return {
          steps: [Number(p.getAttribute('data-before')), Number(p.getAttribute('data-after'))],
          inside: a.left >= box.left && a.right <= box.right && a.top >= box.top && a.bottom <= box.bottom,
          joinsRows: !!ra && !!rb && a.top >= ra.top && a.top <= ra.bottom && a.bottom >= rb.top && a.bottom <= rb.bottom,
          opacity: getComputedStyle(p).opacity,
        };
      }),
    );
    expect(arcs.map((a) => a.steps)).toEqual([
      [1, 2],
      [2, 3],
      [4, 5],
      [8, 9],
      [10, 12],
    ]);
    for (const a of arcs) expect(a).toMatchObject({ inside: true, joinsRows: true, opacity: '1' });
    await page.locator('[data-test=critical] li').nth(4).hover();
    expect(await page.locator('[data-test=pane-a] path[data-test=ordering].hot').getAttribute('data-after')).toBe('12');
    await page.locator('[data-test=explanation-a] summary').click();
    expect(await timeline.evaluate((e) => e.classList.contains('explaining'))).toBe(false);

    await page.keyboard.press('Home');
    expect(await text(page, '[data-test=position]')).toBe('initial state');
    expect(await hashOf(page)).toBe('#step=0');
    expect(await text(page, '[data-test=alias-0]')).toBe('unset');

    for (let i = 1; i <= 11; i++) await page.keyboard.press('ArrowRight');
    expect(await text(page, '[data-test=position]')).toBe('step 11 of 12');
    expect(await text(page, '[data-test=narration]')).toBe('enactor 0 points the top alias at plan 1, older than the active plan 3, and releases the lock');
    // The row tells the story: the rollback and the plan numbers; the narration is its tooltip.
    const row11 = page.locator('[data-test=pane-a] g.row[data-row="11"]');
    expect(await row11.locator('text.action').textContent()).toBe('flipAlias: flip → plan 1 (active 3), rollback, releases lock');
    expect(await row11.locator(':scope > title').textContent()).toBe(
      'step 11: flipAlias (flip → plan 1 (active 3), rollback, releases lock)\nenactor 0 points the top alias at plan 1, older than the active plan 3, and releases the lock',
    );
    expect(await text(page, '[data-test=step-label]')).toBe(' — flip → plan 1 (active 3), rollback, releases lock');
    expect(await page.locator('[data-test=pane-a] g.row[data-row="12"] text.action').textContent()).toBe('cleanupPlans: cleanup deletes tree 1');
    // What else could have happened here: the three enabled actions, the flip taken, the cleanup that would have deleted tree 1.
    const alts = page.locator('[data-test=alternatives] [data-test=alternative]');
    expect(
      await alts.evaluateAll((es) => es.map((e) => `${e.getAttribute('data-action')}/${e.getAttribute('data-actor')}/${e.getAttribute('data-taken')}`)),
    ).toEqual(['publishPlan/0/false', 'flipAlias/0/true', 'cleanupPlans/1/false']);
    await page.locator('[data-test=alternatives] summary').click();
    expect(await text(page, '[data-test=alternatives] summary')).toBe('What else could have happened here: 2 other actions enabled');
    expect(await alts.nth(2).innerText()).toContain('enactor 1 · cleanupPlans — cleanup deletes tree 1');
    expect(await attr(page, '[data-test=tree-0-1]', 'data-status')).toBe('present');
    expect(await attr(page, '[data-test=break][data-property=noRollback]', 'data-status')).toBe('violated-here');
    expect(await page.locator('[data-test=break][data-property=aliasResolves]').count()).toBe(0);
    // The alias record changed at this step: highlighted.
    expect(await page.locator('[data-test=alias-0].changed').count()).toBe(1);

    await page.keyboard.press('ArrowRight');
    expect(await hashOf(page)).toBe('#step=12');
    expect(await text(page, '[data-test=position]')).toBe('step 12 of 12');
    expect(await text(page, '[data-test=narration]')).toBe('enactor 1 cleans up after plan 3: deletes tree 1');
    // The top alias points at plan 1 ...
    expect(await text(page, '[data-test=alias-0]')).toBe('→ plan 1');
    expect(await attr(page, '[data-test=alias-0]', 'data-plan')).toBe('1');
    expect(await text(page, '[data-test=resolves-0]')).toBe('resolves to NOTHING: the tree of plan 1 was deleted');
    // ... whose tree is shown deleted (at this step), while plan 3's stands ...
    expect(await attr(page, '[data-test=tree-0-1]', 'data-status')).toBe('deleted');
    expect(await text(page, '[data-test=tree-0-1]')).toBe('plan-1(deleted at step 12)');
    expect(await page.locator('[data-test=tree-0-1].changed').count()).toBe(1);
    expect(await attr(page, '[data-test=tree-0-3]', 'data-status')).toBe('present');
    expect(await text(page, '[data-test=lock-0]')).toBe('free');
    // ... and aliasResolves is marked violated here, with its explanation; noRollback as broken earlier.
    const violated = page.locator('[data-test=break][data-property=aliasResolves]');
    expect(await violated.getAttribute('data-status')).toBe('violated-here');
    expect(await violated.innerText()).toBe(
      "aliasResolves VIOLATED at this step: endpoint 0's top alias points at plan 1, whose tree has been deleted: the name resolves to nothing",
    );
    expect(await attr(page, '[data-test=break][data-property=noRollback]', 'data-status')).toBe('violated-earlier');
    expect(await page.locator('svg text.brk', { hasText: 'aliasResolves violated' }).count()).toBe(1);
    // One view of the state at a time: the drawing first; the records as text, over time and the fields on demand.
    const tabs = page.locator('[data-test=view-tab]');
    expect(await tabs.allTextContents()).toEqual(['drawing', 'over time', 'records', 'all state fields']);
    expect(await page.locator('[data-test=picture] [data-test=diagram]').isVisible()).toBe(true);
    expect(await page.locator('[data-test=picture] [data-test=strips]').isVisible()).toBe(false);
    expect(await page.locator('[data-test=endpoint-0]').isVisible()).toBe(false);
    expect(await page.locator('[data-test=fields]').isVisible()).toBe(false);
    await tabs.nth(2).click();
    expect(await page.locator('[data-test=endpoint-0]').isVisible()).toBe(true);
    expect(await page.locator('[data-test=picture] [data-test=diagram]').isVisible()).toBe(false);
    expect(await text(page, '[data-test=enactor-1]')).toBe('enactor 1\tidle\t0\t0');
    // The chosen view stays as the steps move.
    await page.keyboard.press('ArrowLeft');
    expect(await page.locator('[data-test=endpoint-0]').isVisible()).toBe(true);
    await page.keyboard.press('ArrowRight');
    await tabs.nth(3).click();
    expect(await page.locator('[data-test=fields]').isVisible()).toBe(true);
    expect(await page.locator('[data-test=picture]').isVisible()).toBe(false);
    await tabs.nth(0).click();

    // The drawing: the arrow from the top name goes to plan 1 and dangles (red); plan 1's tree is drawn deleted.
    const arrow = page.locator('[data-test=picture] svg [data-test=pic-arrow-0]');
    expect(await arrow.getAttribute('data-from')).toBe('top');
    expect(await arrow.getAttribute('data-to')).toBe('plan 1');
    expect(await arrow.getAttribute('data-dangling')).toBe('true');
    expect(await arrow.locator('line').getAttribute('stroke')).toBe('#c62828');
    expect(await page.locator('[data-test=picture] svg [data-test=pic-tree-0-1]').getAttribute('data-status')).toBe('deleted');
    expect(await page.locator('[data-test=picture] svg [data-test=pic-tree-0-1] text').textContent()).toBe('plan-1 deleted @12');
    expect(await page.locator('[data-test=picture] svg [data-test=pic-tree-0-3]').getAttribute('data-status')).toBe('present');
    expect(await page.locator('[data-test=picture] svg [data-test=pic-lock-0] text').last().textContent()).toBe('free');

    // Over time: the bar from enactor 0's freshness check (step 2) to its use (step 11), red: plan 1 was stale by then.
    const bar = page.locator('[data-test=picture] [data-test=check-use-0-11]');
    expect([await bar.getAttribute('data-checked'), await bar.getAttribute('data-used'), await bar.getAttribute('data-stale')]).toEqual(['2', '11', 'true']);

    await page.screenshot({ path: join(OUT, 'viewer-race.png'), fullPage: true });

    // End stays at the last step; Home goes back; End again.
    await page.keyboard.press('ArrowRight');
    expect(await hashOf(page)).toBe('#step=12');
    await page.keyboard.press('Home');
    expect(await hashOf(page)).toBe('#step=0');
    await page.keyboard.press('End');
    expect(await hashOf(page)).toBe('#step=12');
    expect(await attr(page, '[data-test=tree-0-1]', 'data-status')).toBe('deleted');

    // The slider moves one step per key, as the page's own keys do.
    await page.locator('[data-test=slider]').focus();
    await page.keyboard.press('ArrowLeft');
    expect(await hashOf(page)).toBe('#step=11');

    // The fragment is read on load: a shared link opens at its step.
    await page.reload();
    expect(await text(page, '[data-test=position]')).toBe('step 11 of 12');
    await page.goto(`${url}#step=12`);
    await page.reload();
    expect(await text(page, '[data-test=position]')).toBe('step 12 of 12');
    expect(await attr(page, '[data-test=tree-0-1]', 'data-status')).toBe('deleted');

    expect(errors).toEqual([]);
    expect(new Set(requests.map((r) => r.replace(/#.*$/, '')))).toEqual(new Set([url]));
    await page.close();
  });

  for (const width of [1600, 900]) {
    it(`at ${width} px wide: nothing overflows its box, no label is cut, the page is under 1.5 screens tall at the breaking step`, async () => {
      const page = await need().newPage({ viewport: { width, height: 1000 } });
      page.setDefaultTimeout(600_000);
      await page.goto(pathToFileURL(join(dir, 'race.html')).href);
      expect(await text(page, '[data-test=position]')).toBe('step 12 of 12');
      const m = await measure(page);
      expect(m.scroll).toBeLessThanOrEqual(m.client);
      expect(m.clipped).toEqual([]);
      expect(m.outside).toEqual([]);
      expect(m.height).toBeLessThan(1.5 * m.screen);
      // The row labels are whole (no "…"), and "resolves to nothing" overlaps no plan tree.
      expect((await page.locator('[data-test=pane-a] text.action').allTextContents()).filter((t) => t.includes('…'))).toEqual([]);
      const words = (await page.locator('[data-test=pic-arrow-0] text', { hasText: 'resolves to nothing' }).boundingBox())!;
      for (const tree of await page.locator('[data-test=picture] [data-test^=pic-tree-0-] rect').all()) {
        const b = (await tree.boundingBox())!;
        const apart = words.x + words.width <= b.x || b.x + b.width <= words.x || words.y + words.height <= b.y || b.y + b.height <= words.y;
        expect(apart).toBe(true);
      }
      // Two columns (the step beside the timeline) when wide, one column when narrow.
      const timeline = (await page.locator('[data-test=pane-a] .timeline').boundingBox())!;
      const state = (await page.locator('[data-test=state-a]').boundingBox())!;
      if (width > 1100) expect(state.x).toBeGreaterThanOrEqual(timeline.x + timeline.width);
      else expect(state.y).toBeGreaterThanOrEqual(timeline.y + timeline.height);
      await page.screenshot({ path: join(OUT, `viewer-race-${width}.png`), fullPage: true });
      await page.close();
    });
  }

  it('the whole trace on one page: every step with its narration and picture, shown on demand and when printed', async () => {
    const { page, errors } = await open(join(dir, 'race.html'));
    const view = page.locator('[data-test=print-view]');
    expect(await view.isVisible()).toBe(false);
    await page.emulateMedia({ media: 'print' });
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    expect(await view.isVisible()).toBe(true);
    expect(await page.locator('.panes').isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    await page.locator('[data-test=whole-trace]').click();
    expect(await view.isVisible()).toBe(true);
    expect(await page.locator('.panes').isVisible()).toBe(false);
    const steps = view.locator('.print-step');
    expect(await steps.count()).toBe(13);
    expect(await steps.nth(11).locator('.print-title').innerText()).toBe(
      'Step 11 of 12: enactor 0 · flipAlias — flip → plan 1 (active 3), rollback, releases lock',
    );
    expect(await steps.nth(12).locator('.narration').innerText()).toBe('enactor 1 cleans up after plan 3: deletes tree 1');
    expect(await steps.nth(12).locator('[data-test=pic-arrow-0]').getAttribute('data-dangling')).toBe('true');
    expect(await steps.nth(12).locator('.brkbox .prop').innerText()).toBe('aliasResolves');
    expect(await view.locator('h2').innerText()).toBe('dns (as-was): ✖ aliasResolves violated at step 12 (also breaks: noRollback)');
    await page.locator('[data-test=whole-trace]').click();
    expect(await page.locator('.panes').isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a link to a step that does not exist opens at the last one', async () => {
    const { page, errors } = await open(join(dir, 'race.html'), '#step=99');
    expect(await text(page, '[data-test=position]')).toBe('step 12 of 12');
    expect(await hashOf(page)).toBe('#step=12');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('a hostile trace', () => {
  it('renders its strings as visible text; no script from it runs, nothing is fetched, no errors', async () => {
    const t = JSON.parse(readFileSync(join(dir, 'race.json'), 'utf8'));
    t.variant = HOSTILE;
    t.params[HOSTILE_IMG] = HOSTILE;
    t.steps[2].narration = `${HOSTILE} ${HOSTILE_IMG}`;
    t.property = HOSTILE;
    t.breaks[1].property = HOSTILE;
    t.breaks[1].explanation = `${HOSTILE_IMG} ${HOSTILE}`;
    t.steps[4].patches[0].path = [HOSTILE_IMG, 0];
    const file = join(dir, 'hostile.json');
    writeFileSync(file, JSON.stringify(t));
    // dnsmc view refuses it (what it claims is not what the model derives); the page itself must be inert all the same.
    const refused = spawnSync(process.execPath, [BIN, 'view', file, '--out', join(dir, 'refused.html')], { encoding: 'utf8', timeout: 600_000 });
    expect([refused.status, refused.stderr]).toEqual([2, `dnsmc: ${file}: trace: field variant must be the model's variant, "as-was"\n`]);
    expect(existsSync(join(dir, 'refused.html'))).toBe(false);
    writeFileSync(join(dir, 'hostile.html'), viewerPage({ trace: parseTrace(t), model: dnsModel({ variant: 'as-was' }), presentation: dnsPresentation }));

    const { page, requests, errors, url } = await open(join(dir, 'hostile.html'));
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2); // the data block and the page's own script
    expect(await text(page, 'header')).toContain(`variant ${HOSTILE}`);
    await page.keyboard.press('Home');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    expect(await text(page, '[data-test=narration]')).toBe(`${HOSTILE} ${HOSTILE_IMG}`);
    await page.keyboard.press('End');
    const box = page.locator('[data-test=break][data-property="</script><script>window.__pwned=1</script>"]');
    expect(await box.innerText()).toBe(`${HOSTILE} VIOLATED at this step: ${HOSTILE_IMG} ${HOSTILE}`);
    await page.keyboard.press('Home');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    expect(await text(page, '[data-test=changes]')).toContain(`${HOSTILE_IMG}[0]:`);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });
});

describe('any model, and a lasso', () => {
  it('a wide timeline (6 enactors, 3 endpoints: 10 lanes) is drawn smaller, not scrolled sideways: the properties column stays in view', async () => {
    const model = dnsModel({ variant: 'as-was', enactors: 6, endpoints: 3 });
    const schedule = [
      ['publishPlan', 0],
      ['pickPlan', 5],
      ['acquireLock', 5],
      ['buildTree', 5],
      ['flipAlias', 5],
    ].map(([action, actor]) => ({ action: action as string, actor: actor as number }));
    const t = traceFromReplay(model, replay(model, model.init[0], schedule), 'aliasResolves', 'invariant');
    writeFileSync(join(dir, 'wide.html'), viewerPage({ trace: t, model, presentation: dnsPresentation }));
    const { page, errors } = await open(join(dir, 'wide.html'));
    const [scroll, client] = await page.locator('[data-test=pane-a] .timeline').evaluate((e) => [e.scrollWidth, e.clientWidth]);
    expect(scroll).toBeLessThanOrEqual(client);
    const box = await page.locator('[data-test=pane-a] .timeline-head text', { hasText: 'properties' }).boundingBox();
    const wrap = await page.locator('[data-test=pane-a] .timeline').boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(wrap!.x + wrap!.width);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the generic page: a lane per process, the fields table with what changed, the loop marked', async () => {
    // Process 1 requests; process 0 requests, enters, exits and requests again: back in the state after step 2.
    const model = lockMutexModel(2);
    const schedule = [
      ['request', 1],
      ['request', 0],
      ['enter', 0],
      ['exit', 0],
      ['request', 0],
    ].map(([action, actor]) => ({ action: action as string, actor: actor as number }));
    const t = traceFromReplay(model, replay(model, model.init[0], schedule), 'mutualExclusion', 'invariant');
    const lasso = parseTrace(JSON.parse(JSON.stringify({ ...t, loop: 2 })));
    writeFileSync(join(dir, 'lasso.html'), viewerPage({ trace: lasso, model }));
    const { page, errors } = await open(join(dir, 'lasso.html'), '#step=4');
    expect(await page.locator('svg text.lanehead').allTextContents()).toEqual(['process 0', 'process 1', 'properties']);
    expect(await page.locator('[data-test=loop]').count()).toBe(1);
    // The bracket starts at the first repeating step (3: the step after state 2, which the run comes back to) and ends at the last.
    expect(await attr(page, '[data-test=loop]', 'data-first-step')).toBe('3');
    expect(await attr(page, '[data-test=loop]', 'data-last-step')).toBe('5');
    const top = await page.locator('[data-test=loop]').evaluate((e) => e.getBoundingClientRect().top);
    const row3 = await page.locator('g.row[data-row="3"] rect.rowbg').evaluate((e) => e.getBoundingClientRect());
    expect(top).toBeGreaterThanOrEqual(row3.top);
    expect(top).toBeLessThan(row3.bottom);
    expect(await text(page, '[data-test=loop-note]')).toBe(
      '↻ This step is in the loop: after step 5 the run is back in the state of step 2, and steps 3 to 5 repeat forever.',
    );
    expect(await page.locator('[data-test=fields] [data-field=proc][data-index="0"]').innerText()).toBe('[0]idle');
    expect(await page.locator('[data-test=fields] [data-field=proc][data-index="0"].changed').count()).toBe(1);
    expect(await page.locator('[data-test=fields] [data-field=lock].changed').innerText()).toBe('none');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await text(page, '[data-test=loop-note]')).toBe(
      '↻ The loop starts here: after step 5 the run is back in this state, and steps 3 to 5 repeat forever.',
    );
    await page.keyboard.press('ArrowLeft');
    expect(await page.locator('[data-test=loop-note]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});

/** Strings that would be markup, a comment, a script's end or a line break in JavaScript if the page ever parsed them. */
const FUZZ = [
  '</script><script>window.__pwned=11</script>',
  '<img src=x onerror="window.__pwned=12">',
  '<!-- <svg onload="window.__pwned=13"> -->',
  'a\u2028b\u2029c </SCRIPT >',
  '<style>*{background:url(https://example.com/s.png)}</style>',
  '"><iframe src="https://example.com/"></iframe>',
];

describe('hostile text in every field the page shows', () => {
  it('lane titles, row labels, narrations, breaks, alternatives, pictures, pane labels, the divergence banner: all text, none of it markup or script', async () => {
    const race = parseTrace(JSON.parse(readFileSync(join(dir, 'race.json'), 'utf8')));
    for (const [k, h] of FUZZ.entries()) {
      // Everything a page takes from a trace, a model or its package carries h (the first run) or another fuzz string (the second).
      const other = FUZZ[(k + 1) % FUZZ.length];
      const base = dnsModel({ variant: 'as-was' });
      const model = { ...base, actorName: (role: string, actor: number) => `${h} ${role} ${actor}` };
      const presentation: Presentation = {
        ...dnsPresentation,
        lanes: (m) => {
          const r = dnsPresentation.lanes!(m)!;
          return { ...r, lanes: r.lanes.map((l) => ({ ...l, label: `${h} ${l.label}` })) };
        },
        label: (_m, _s, i) => `${h} label ${i}`,
        picture: (m, states, i) => ({
          tag: 'div',
          children: [{ tag: 'p', text: `${h} picture`, attrs: { title: h, 'data-fuzz': h } }, dnsPresentation.picture!(m, states, i)],
        }),
      };
      const hostile = (t: typeof race, s: string) => ({
        ...t,
        variant: s,
        params: { ...t.params, [s]: s },
        breaks: t.breaks.map((b) => ({ ...b, explanation: s })),
        steps: t.steps.map((st) => ({ ...st, narration: `${s} ${st.narration}` })),
      });
      const a = hostile(race, h);
      const b = hostile({ ...race, steps: race.steps.slice(0, 9) }, other);
      const file = join(dir, `fuzz-${k}.html`);
      writeFileSync(file, viewerPage({ trace: a, model, presentation, label: h }, { trace: b, model, presentation, label: other }));

      const { page, errors, requests, url } = await open(file);
      const pwned = (): Promise<unknown> => page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
      // Every step, every panel open, the whole trace built: everything the page can show is on it.
      for (let r = 0; r <= race.steps.length; r++) {
        await page.keyboard.press(r === 0 ? 'Home' : 'ArrowRight');
        await page.evaluate(() => {
          for (const d of document.querySelectorAll('details')) d.open = true;
        });
      }
      await page.locator('[data-test=whole-trace]').click();
      expect(await pwned(), h).toBeUndefined();
      const shape = await page.evaluate(() => {
        const comments = document.createTreeWalker(document, NodeFilter.SHOW_COMMENT);
        let c = 0;
        while (comments.nextNode()) c++;
        const tags = new Set([...document.querySelectorAll('*')].map((e) => e.tagName.toLowerCase()));
        const handlers = [...document.querySelectorAll('*')].flatMap((e) => e.getAttributeNames().filter((n) => n.startsWith('on')));
        const laneTitles = [...document.querySelectorAll('[data-test=pane-a] .timeline-head text.lanehead')].map((e) => e.textContent);
        return { comments: c, tags: [...tags].sort(), handlers, laneTitles };
      });
      expect(shape.comments, h).toBe(0);
      expect(shape.handlers, h).toEqual([]);
      for (const tag of ['img', 'iframe', 'svg:svg', 'a', 'object', 'embed', 'foreignobject', 'image']) expect(shape.tags, `${h}: ${tag}`).not.toContain(tag);
      expect(await page.locator('script').count(), h).toBe(2);
      expect(await page.locator('style').count(), h).toBe(1);
      // The lane titles show the text (the first words of it, as a lane title is cut), as text.
      expect(shape.laneTitles.join(' '), h).toContain(h.split(' ')[0]);
      // The rest shows whole: in the banner, the narrations, the labels, the breaks, the picture, the alternatives.
      for (const where of ['[data-test=divergence]', '[data-test=print-view]', '[data-test=alternatives]', '[data-test=pane-a] [data-test=picture]'])
        expect(await page.locator(where).first().textContent(), `${h} in ${where}`).toContain(h);
      expect(await page.locator('[data-fuzz]').first().getAttribute('data-fuzz'), h).toBe(h);
      expect(errors, h).toEqual([]);
      expect(new Set(requests.map((r) => r.replace(/#.*$/, ''))), h).toEqual(new Set([url]));
      await page.close();
    }
  });
});

describe('a hostile picture', () => {
  it('is built under the allow-list: no script, no handler, no link or source, no style URL, no id; its strings stay text', async () => {
    const model = lockMutexModel(2);
    const schedule = [
      ['request', 1],
      ['request', 0],
      ['enter', 0],
    ].map(([action, actor]) => ({ action: action as string, actor: actor as number }));
    const t = traceFromReplay(model, replay(model, model.init[0], schedule), 'mutualExclusion', 'invariant');
    expect(t.steps[2].patches.map((p) => p.path[0])).toContain('lock');
    const hostile: PictureNode = {
      tag: 'div',
      class: 'card',
      attrs: {
        'data-test': 'hostile',
        onclick: 'window.__pwned=1',
        href: 'javascript:window.__pwned=2',
        style: 'background: url(https://example.com/a.png)',
        id: 'app',
        title: 'a title',
      },
      text: '<b>bold?</b>',
      children: [
        { tag: 'script', text: 'window.__pwned=3' },
        { tag: 'img', attrs: { src: 'https://example.com/x.png', onerror: 'window.__pwned=4' } },
        { tag: 'a', attrs: { href: 'https://example.com/' }, text: 'a link' },
        { tag: 'iframe', attrs: { src: 'https://example.com/' } },
        {
          tag: 'span',
          field: 'lock',
          attrs: { 'data-kept': 'yes', onmouseover: 'window.__pwned=5', 'data-x onclick': 'x', 'xlink:href': '#x' },
          text: '</span><script>window.__pwned=6</script>',
        },
        {
          tag: 'svg',
          attrs: { width: 60, height: 20, onload: 'window.__pwned=7', 'data-test': 'hostile-svg' },
          children: [
            { tag: 'rect', attrs: { width: 10, height: 10, fill: 'url(https://example.com/p.svg#p)', stroke: 'red', onclick: 'window.__pwned=8' } },
            { tag: 'image', attrs: { href: 'https://example.com/i.png' } },
            { tag: 'foreignObject', children: [{ tag: 'div', text: 'inside foreignObject' }] },
            { tag: 'a', attrs: { href: 'javascript:window.__pwned=9' }, children: [{ tag: 'text', text: 'svg link' }] },
            { tag: 'animate', attrs: { attributeName: 'href', to: 'javascript:window.__pwned=10' } },
            { tag: 'text', attrs: { x: 0, y: 15 }, text: '<script>svg text</script>' },
            { tag: 'div', text: 'html in svg' },
          ],
        },
        { tag: 'rect', text: 'svg outside svg' },
        { tag: 'title', text: 'title outside svg' },
        { tag: 'style', text: '* { background: url(https://example.com/s.png) }' },
      ],
    };
    const presentation: Presentation = { picture: () => hostile };
    writeFileSync(join(dir, 'hostile-picture.html'), viewerPage({ trace: t, model, presentation }));
    const { page, errors, requests, url } = await open(join(dir, 'hostile-picture.html'), '#step=3');
    const pwned = (): Promise<unknown> => page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
    const box = page.locator('[data-test=picture] [data-test=hostile]');
    expect(await box.count()).toBe(1);
    // The allowed attributes and nothing else; no id, so the page's own #app is still its root.
    expect(await box.evaluate((e) => e.getAttributeNames())).toEqual(['class', 'data-test', 'title']);
    expect(await page.evaluate(() => document.getElementById('app')!.parentElement!.tagName)).toBe('BODY');
    // Text stays text.
    expect(await page.locator('[data-test=picture] b').count()).toBe(0);
    expect(await box.evaluate((e) => e.firstChild!.nodeValue)).toBe('<b>bold?</b>');
    const span = page.locator('[data-test=picture] [data-kept]');
    expect(await span.innerText()).toBe('</span><script>window.__pwned=6</script>');
    expect(await span.evaluate((e) => e.getAttributeNames())).toEqual(['data-kept', 'data-field', 'class']);
    // ... and is marked: this step changed the lock.
    expect(await span.getAttribute('class')).toBe('changed');
    // Only the allowed tags, each in its place: an svg with a rect and a text; nothing else.
    expect(await page.locator('[data-test=picture] *').evaluateAll((es) => es.map((e) => e.tagName.toLowerCase()))).toEqual([
      'div',
      'span',
      'svg',
      'rect',
      'text',
    ]);
    expect(await page.locator('[data-test=picture] rect').evaluate((e) => e.getAttributeNames())).toEqual(['width', 'height', 'stroke']);
    expect(await page.locator('[data-test=picture] svg text').textContent()).toBe('<script>svg text</script>');
    const shown = await page.locator('[data-test=picture]').innerText();
    for (const gone of ['a link', 'inside foreignObject', 'svg link', 'html in svg', 'svg outside svg', 'title outside svg', 'example.com'])
      expect(shown).not.toContain(gone);
    expect(await page.locator('script').count()).toBe(2);
    expect(await page.locator('img, iframe, a, image, foreignObject, style').count()).toBe(1); // the page's own <style> in <head>
    // Nothing runs on a click or a hover.
    await box.click();
    await span.hover();
    await page.locator('[data-test=picture] rect').click({ force: true });
    expect(await pwned()).toBeUndefined();
    // Through the steps, the same.
    await page.keyboard.press('Home');
    await page.keyboard.press('End');
    expect(await pwned()).toBeUndefined();
    expect(errors).toEqual([]);
    expect(new Set(requests.map((r) => r.replace(/#.*$/, '')))).toEqual(new Set([url]));
    await page.close();
  });
});

describe('a reenact page: the race re-enacted on a private BIND 9', () => {
  for (const width of [1600, 900]) {
    it(`at ${width} px: the real records ${width > 1100 ? 'to the right of' : 'beside'} the model's drawing, in each view; nothing overflows${width > 1100 ? '' : '; one column'}`, async () => {
      const file = join(dir, 'race-real.html');
      if (!existsSync(file)) dnsmc('reenact', join(dir, 'race.json'), '--view', file, '--quiet');
      const { page, errors } = await open(file);
      await page.setViewportSize({ width, height: 1000 });
      expect(await text(page, '[data-test=position]')).toBe('step 12 of 12');
      // The model's views, each with the server's beside it: the tabs of the plain page, not one long picture.
      expect(await page.locator('[data-test=view-tab]').allTextContents()).toEqual(['drawing', 'over time', 'records', 'all state fields']);
      const shown = async (sel: string) => (await page.locator(`[data-test=picture] ${sel}`).filter({ visible: true }).all()).length;
      expect([await shown('[data-test=modelled]'), await shown('[data-test=observed]')]).toEqual([1, 1]);
      const mine = (await page.locator('[data-test=picture] [data-test=modelled]').filter({ visible: true }).boundingBox())!;
      const real = (await page.locator('[data-test=picture] [data-test=observed]').filter({ visible: true }).boundingBox())!;
      expect(await page.locator('[data-test=picture] [data-test=modelled]').filter({ visible: true }).locator('svg[data-test=diagram]').count()).toBe(1);
      // Headed with whose records they are: the server's.
      expect(await page.locator('[data-test=picture] [data-test=observed]').filter({ visible: true }).locator('h4').first().innerText()).toMatch(/^on BIND/);
      // The server's records: to the right of the model's drawing and level with it, not under it.
      expect(real.x).toBeGreaterThanOrEqual(mine.x + mine.width);
      expect(Math.abs(real.y - mine.y)).toBeLessThan(2);
      // The real records at the breaking step: the alias on plan 1, whose tree BIND no longer holds.
      const observed = page.locator('[data-test=picture] [data-test=observed]').filter({ visible: true });
      expect(await observed.locator('[data-test=pic-arrow-0]').getAttribute('data-dangling')).toBe('true');
      // The same pairing in the records view.
      await page.locator('[data-test=view-tab]', { hasText: 'records' }).click();
      const realCards = (await page.locator('[data-test=picture] [data-test=observed]').filter({ visible: true }).boundingBox())!;
      const myCards = (await page.locator('[data-test=picture] [data-test=modelled]').filter({ visible: true }).boundingBox())!;
      expect(realCards.x).toBeGreaterThanOrEqual(myCards.x + myCards.width);
      expect(await page.locator('[data-test=picture] [data-test=observed]').filter({ visible: true }).locator('[data-test=resolves-0]').innerText()).toMatch(
        /^resolves to NOTHING/,
      );
      await page.locator('[data-test=view-tab]', { hasText: 'drawing' }).click();
      const m = await measure(page);
      expect(m.scroll).toBeLessThanOrEqual(m.client);
      expect(m.clipped).toEqual([]);
      expect(m.outside).toEqual([]);
      // The page's own columns: the step beside the timeline when wide, under it below 1,100 px.
      const timeline = (await page.locator('[data-test=pane-a] .timeline').boundingBox())!;
      const state = (await page.locator('[data-test=state-a]').boundingBox())!;
      if (width > 1100) expect(state.x).toBeGreaterThanOrEqual(timeline.x + timeline.width);
      else expect(state.y).toBeGreaterThanOrEqual(timeline.y + timeline.height);
      await page.screenshot({ path: join(OUT, `viewer-reenact-${width}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});

describe('the race beside its replay under the fixed protocol', () => {
  it('marks the divergence at step 10, where the fix makes enactor 0 give up, and shows step 11 not taken', async () => {
    dnsmc('replay', join(dir, 'race.json'), '--variant', 'fixed', '--trace-out', join(dir, 'fixed.json'));
    dnsmc('view', join(dir, 'race.json'), '--compare', join(dir, 'fixed.json'), '--out', join(dir, 'cmp.html'));
    const { page, errors, requests, url } = await open(join(dir, 'cmp.html'));
    // Each run's verdict; the reason for the divergence in its row; each run numbered by its own steps.
    expect(await text(page, '[data-test=verdict-a]')).toBe('✖ aliasResolves violated at step 12 (also breaks: noRollback)');
    expect(await text(page, '[data-test=verdict-b]')).toBe('✔ every safety property holds at each of its 11 steps');
    expect(await page.locator('[data-test=pane-b] [data-test=divergence-reason]').textContent()).toBe('▶ gives up plan 1 (active 3), releases lock');
    expect(await page.locator('[data-test=pane-a] [data-test=divergence-reason]').textContent()).toBe('▶ builds tree 1');
    expect(await page.locator('[data-test=pane-b] g.row[data-row="12"] text.steplabel').textContent()).toBe('step 11');
    expect(await page.locator('[data-test=pane-b] g.row[data-row="11"] text.steplabel').textContent()).toBe('—');
    const banner = await text(page, '[data-test=divergence]');
    expect(banner).toContain('The runs diverge at step 10.');
    expect(banner).toContain('race.json (as-was): enactor 0 builds the tree of plan 1');
    expect(banner).toContain('fixed.json (fixed): enactor 0 gives up: plan 1 is not newer than the active plan 3; it releases the lock');
    expect(await page.locator('[data-test=pane-a] g.row.diverges').getAttribute('data-row')).toBe('10');
    expect(await page.locator('[data-test=pane-b] g.row.diverges').getAttribute('data-row')).toBe('10');

    await page.getByRole('button', { name: 'show step 10' }).click();
    expect(await hashOf(page)).toBe('#step=10');
    expect(await text(page, '[data-test=pane-b] [data-test=narration]')).toBe(
      'enactor 0 gives up: plan 1 is not newer than the active plan 3; it releases the lock',
    );
    expect(await text(page, '[data-test=pane-a] [data-test=narration]')).toBe('enactor 0 builds the tree of plan 1');

    await page.keyboard.press('ArrowRight');
    expect(await text(page, '[data-test=pane-b] [data-test=gap]')).toBe(
      "enactor 0's flipAlias could not be taken here; the state is as after step 10 of this run.",
    );
    expect(await text(page, '[data-test=pane-a] [data-test=alias-0]')).toBe('→ plan 1');
    expect(await text(page, '[data-test=pane-b] [data-test=alias-0]')).toBe('→ plan 3');
    // The alias differs between the runs: outlined on both sides.
    expect(await page.locator('[data-test=alias-0].differs').count()).toBe(2);

    await page.keyboard.press('End');
    expect(await text(page, '[data-test=pane-b] .step-title')).toMatch(/^Step 11 of 11: /);
    expect(await text(page, '[data-test=pane-a] .step-title')).toMatch(/^Step 12 of 12: /);
    // The state panels start above the fold (900 px).
    expect((await page.locator('[data-test=pane-b] [data-test=picture]').boundingBox())!.y).toBeLessThan(900);
    expect(await attr(page, '[data-test=pane-a] [data-test=break][data-property=aliasResolves]', 'data-status')).toBe('violated-here');
    expect(await page.locator('[data-test=pane-b] [data-test=break]').count()).toBe(0);
    expect(await attr(page, '[data-test=pane-a] [data-test=tree-0-1]', 'data-status')).toBe('deleted');
    expect(await text(page, '[data-test=pane-b] [data-test=resolves-0]')).toBe('resolves (tree of plan 3 exists)');
    await page.goto(`${url}#step=11`);
    await page.reload();
    await page.screenshot({ path: join(OUT, 'viewer-compare.png'), fullPage: true });
    await picture(page, 'viewer-compare.png');
    expect(errors).toEqual([]);
    expect(new Set(requests.map((r) => r.replace(/#.*$/, '')))).toEqual(new Set([url]));
    await page.close();
  });

  for (const width of [1600, 1440, 900]) {
    it(`at ${width} px wide: nothing overflows, no label is cut, and the selected row is in view in each run's timeline`, async () => {
      if (!existsSync(join(dir, 'cmp.html'))) {
        dnsmc('replay', join(dir, 'race.json'), '--variant', 'fixed', '--trace-out', join(dir, 'fixed.json'));
        dnsmc('view', join(dir, 'race.json'), '--compare', join(dir, 'fixed.json'), '--out', join(dir, 'cmp.html'));
      }
      const page = await need().newPage({ viewport: { width, height: 1000 } });
      page.setDefaultTimeout(600_000);
      await page.goto(pathToFileURL(join(dir, 'cmp.html')).href);
      expect(await text(page, '[data-test=position]')).toBe('step 10 of 12');
      const m = await measure(page);
      expect(m.scroll).toBeLessThanOrEqual(m.client);
      expect(m.clipped).toEqual([]);
      expect(m.outside).toEqual([]);
      // No entry of the "compared" column is shortened with "…": the reason for the divergence is whole.
      expect(
        (await page.locator('.timeline text:is(.status-same, .status-differs, .status-only)').allTextContents()).filter((t) => t.includes('\u2026')),
      ).toEqual([]);
      expect(await page.locator('[data-test=pane-b] [data-test=divergence-reason]').textContent()).toBe('\u25B6 gives up plan 1 (active 3), releases lock');
      // The selected row is inside its timeline's visible box (below the sticky lane headers), at the step the
      // page opens at and at each step the keyboard moves to.
      const inView = (): Promise<string[]> =>
        page.evaluate(() =>
          [...document.querySelectorAll('.timeline')].flatMap((w) => {
            const box = w.getBoundingClientRect();
            const head = w.querySelector('.timeline-head')!.getBoundingClientRect();
            const row = w.querySelector('g.row.selected rect.rowbg')!.getBoundingClientRect();
            return row.top >= head.bottom - 1 && row.bottom <= box.bottom + 1 ? [] : [`row ${row.top}..${row.bottom} outside ${head.bottom}..${box.bottom}`];
          }),
        );
      expect(await inView()).toEqual([]);
      await page.keyboard.press('Home');
      for (let r = 0; r <= 12; r++) {
        expect(await text(page, '[data-test=position]')).toBe(r === 0 ? 'initial state' : `step ${r} of 12`);
        expect(await inView(), `at step ${r}`).toEqual([]);
        await page.keyboard.press('ArrowRight');
      }
      // At 900 px each timeline is a scroll box shorter than its rows, so "in view" can fail there (wider, the drawings are smaller and fit).
      const scrolls = await page.evaluate(() => [...document.querySelectorAll('.timeline')].map((w) => w.scrollHeight > w.clientHeight));
      if (width === 900) expect(scrolls).toEqual([true, true]);
      // The same by the mouse: "show step 10" in the banner, from either end (each timeline scrolled away first).
      const show = page.locator('[data-test=divergence] button', { hasText: 'show step 10' });
      for (const from of ['Home', 'End']) {
        await page.keyboard.press(from);
        await show.click();
        expect(await text(page, '[data-test=position]')).toBe('step 10 of 12');
        expect(await inView(), `show step 10, from ${from}`).toEqual([]);
      }
      // And the slider: set to each step in turn (as a drag does, an input event per value), then clicked at its two ends.
      const slider = page.locator('[data-test=slider]');
      for (const r of [0, 12, 1, 11, 2, 10, 3, 9, 4, 8, 5, 7, 6]) {
        await slider.fill(String(r));
        expect(await text(page, '[data-test=position]')).toBe(r === 0 ? 'initial state' : `step ${r} of 12`);
        expect(await inView(), `slider at ${r}`).toEqual([]);
      }
      const track = (await slider.boundingBox())!;
      for (const [x, r] of [
        [track.x + 2, 0],
        [track.x + track.width - 2, 12],
      ] as const) {
        await page.mouse.click(x, track.y + track.height / 2);
        expect(await text(page, '[data-test=position]')).toBe(r === 0 ? 'initial state' : `step ${r} of 12`);
        expect(await inView(), `slider clicked at step ${r}`).toEqual([]);
      }
      await page.screenshot({ path: join(OUT, `viewer-compare-${width}.png`), fullPage: true });
      await page.close();
    });
  }
});
