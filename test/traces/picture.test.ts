/**
 * Pictures of states: the dns model's presentation (lanes, the Route 53
 * picture), what the viewer page is given of them, and that the generic
 * viewer names no model. How the page builds a picture (and drops what its
 * allow-list does not allow) is tested in a browser, test/browser/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { viewerPage } from '../../app/view.js';
import { check } from '../../checker/explore/bfs.js';
import type { PictureNode, Presentation } from '../../checker/package/presentation.js';
import { dnsModel } from '../../models/dns/model.js';
import { dnsHeadline, dnsPresentation, dnsRootCauseSpan } from '../../models/dns/picture.js';
import { replay } from '../../checker/model/replay.js';
import { naiveMutexModel } from '../../models/toys/index.js';
import type { PageData } from '../../traces/client/data.js';
import { stateTable } from '../../traces/state-table.js';
import { traceFromReplay, traceOf } from '../../traces/trace.js';
import { viewerHtml } from '../../traces/viewer.js';

const asWas = dnsModel({ variant: 'as-was' });
const race = traceOf(asWas, check(asWas, { properties: ['aliasResolves'] }).violations[0]);
const states = [race.initial, ...race.steps.map((s) => s.state)];
const picture = (i: number): PictureNode => dnsPresentation.picture!(asWas, states, i);

/** Every node of a picture, depth first. */
function nodes(n: PictureNode): PictureNode[] {
  return [n, ...(n.children ?? []).flatMap(nodes)];
}
/** The one node with this data-test attribute. */
function byTest(root: PictureNode, test: string): PictureNode {
  const found = nodes(root).filter((n) => n.attrs?.['data-test'] === test);
  expect(found, test).toHaveLength(1);
  return found[0];
}
/** A node's text as a browser shows it: its own text, then its children's. */
const textOf = (n: PictureNode): string => (n.text ?? '') + (n.children ?? []).map(textOf).join('');
const classes = (n: PictureNode): string[] => (n.class ?? '').split(' ').filter(Boolean);

/** The page's data block. */
function dataOf(html: string): PageData {
  return JSON.parse(/<script type="application\/json" id="dnsmc-data">([^<]*)<\/script>/.exec(html)![1]);
}
/** Node `id` of the page's node table as the tree it stands for (children resolved). */
function treeOf(d: PageData, id: number): PictureNode {
  const { children, ...rest } = d.nodes[id];
  return children ? { ...rest, children: children.map((c) => treeOf(d, c)) } : rest;
}

describe('the dns picture', () => {
  it('the race’s last step: the alias points at plan 1, whose tree was deleted at this step; plan 3’s stands; the lock is free', () => {
    const p = picture(12);
    const alias = byTest(p, 'alias-0');
    expect(alias).toMatchObject({ text: '→ plan 1', field: 'alias', index: 0 });
    expect(alias.attrs!['data-plan']).toBe(1);
    expect(textOf(byTest(p, 'resolves-0'))).toBe('resolves to NOTHING: the tree of plan 1 was deleted');
    expect(classes(byTest(p, 'resolves-0'))).toEqual(['resolves', 'bad']);
    const t1 = byTest(p, 'tree-0-1');
    expect(t1.attrs!['data-status']).toBe('deleted');
    expect(textOf(t1)).toBe('plan-1(deleted at step 12)');
    expect(classes(t1)).toEqual(['chip', 'tree', 'deleted', 'target', 'changed']);
    const t3 = byTest(p, 'tree-0-3');
    expect(t3.attrs!['data-status']).toBe('present');
    expect(classes(t3)).toEqual(['chip', 'tree', 'present']);
    expect(
      nodes(p)
        .filter((n) => n.attrs?.['data-test']?.toString().startsWith('tree-0-'))
        .map((n) => n.attrs!['data-test']),
    ).toEqual(['tree-0-1', 'tree-0-3']);
    expect(byTest(p, 'lock-0')).toMatchObject({ text: 'free', field: 'lockHolder', index: 0 });
    expect(byTest(p, 'latest')).toMatchObject({ text: '3', field: 'latest' });
    // The enactors table: phase, plan and failed lock attempts (one endpoint: no endpoint column), each cell marked with its field and enactor.
    const e1 = byTest(p, 'enactor-1');
    expect(e1.children!.map(textOf)).toEqual(['enactor 1', 'idle', '0', '0']);
    expect(e1.children!.slice(1).map((c) => [c.field, c.index])).toEqual([
      ['phase', 1],
      ['plan', 1],
      ['failures', 1],
    ]);
  });

  it('step 11: tree 1 is present and resolves; the initial state: alias unset, no trees yet, lock free', () => {
    const p11 = picture(11);
    expect(byTest(p11, 'tree-0-1').attrs!['data-status']).toBe('present');
    expect(classes(byTest(p11, 'tree-0-1'))).not.toContain('changed');
    expect(textOf(byTest(p11, 'resolves-0'))).toBe('resolves (tree of plan 1 exists)');
    const p0 = picture(0);
    expect(byTest(p0, 'alias-0')).toMatchObject({ text: 'unset', attrs: { 'data-test': 'alias-0', 'data-plan': 0 } });
    expect(nodes(p0).some((n) => n.attrs?.['data-test'] === 'resolves-0')).toBe(false);
    expect(nodes(p0).filter((n) => n.text === 'none yet')).toHaveLength(1);
    expect(byTest(p0, 'lock-0').text).toBe('free');
  });

  it('two endpoints: a card and a lane each, and an endpoint column for the enactors', () => {
    const m = dnsModel({ variant: 'as-was', endpoints: 2 });
    const lanes = dnsPresentation.lanes!(m)!;
    expect(lanes.lanes).toEqual([
      { id: 'endpoint 0', label: 'endpoint 0 (Route 53)' },
      { id: 'endpoint 1', label: 'endpoint 1 (Route 53)' },
    ]);
    expect(['alias', 'trees', 'lockHolder', 'phase'].map((f) => lanes.of([f, 1]))).toEqual(['endpoint 1', 'endpoint 1', 'endpoint 1', undefined]);
    expect(lanes.of(['trees', 2])).toBeUndefined();
    const s = m.layout.toJson(m.layout.vector());
    const p = dnsPresentation.picture!(m, [s], 0);
    expect(['endpoint-0', 'endpoint-1', 'alias-1', 'lock-1'].map((t) => byTest(p, t).attrs!['data-test'])).toEqual([
      'endpoint-0',
      'endpoint-1',
      'alias-1',
      'lock-1',
    ]);
    expect(byTest(p, 'enactor-0').children!.map((c) => c.field ?? textOf(c))).toEqual(['enactor 0', 'phase', 'plan', 'endpoint', 'failures']);
  });

  it('refuses a state of another layout, saying what does not fit', () => {
    expect(() => dnsPresentation.picture!(asWas, [{ latest: 0, alias: 3 }], 0)).toThrow('state 0: alias is not an array, so this is not a dns state');
  });
});

describe('what the viewer page is given of pictures', () => {
  it('dns: one picture per state, the presentation’s, and the changes formatted as the exports format them', () => {
    const d = dataOf(viewerPage({ trace: race, model: asWas, presentation: dnsPresentation }));
    const pane = d.panes[0];
    expect(pane.pictures).toHaveLength(13);
    expect(treeOf(d, pane.pictures![12])).toEqual(picture(12));
    expect(pane.pictureError).toBeNull();
    expect(pane.changes).toHaveLength(13);
    expect(pane.changes[0]).toEqual([]);
    expect(pane.changes[12]).toEqual(['phase[1]: cleanup → idle', 'trees[0]: {1, 3} → {3}', 'plan[1]: 3 → 0']);
    expect(pane.summary).toBe('model dns, variant as-was; enactors 3, plans 4, endpoints 1, maxBackoff 2, keep 1; 12 steps');
    expect(treeOf(d, pane.fields[12])).toEqual(stateTable(states[12], pane.arrays));
  });

  it('a model without a picture, or a presentation passed as none: no pictures, the fields table', () => {
    const m = naiveMutexModel(3);
    const t = traceOf(m, check(m).violations[0]);
    expect(dataOf(viewerPage({ trace: t, model: m })).panes[0].pictures).toBeNull();
    expect(dataOf(viewerPage({ trace: race, model: asWas, presentation: undefined })).panes[0].pictures).toBeNull();
    // The lanes come from the presentation too: without it, only the actors.
    expect(dataOf(viewerPage({ trace: race, model: asWas, presentation: undefined })).panes[0].lanes.map((l) => l.kind)).toEqual([
      'actor',
      'actor',
      'actor',
      'actor',
    ]);
  });

  it('a picture that throws: the page says why, and shows the fields table', () => {
    const broken: Presentation = {
      picture: () => {
        throw new Error('no picture today');
      },
    };
    const pane = dataOf(viewerPage({ trace: race, model: asWas, presentation: broken })).panes[0];
    expect(pane.pictures).toBeNull();
    expect(pane.pictureError).toBe('no picture today');
    // Even a thrown value whose toString throws is told in words, never a crash of the page writer.
    const hostile: Presentation = {
      picture: () => {
        throw {
          toString() {
            throw new Error('no words');
          },
        };
      },
    };
    const other = dataOf(viewerPage({ trace: race, model: asWas, presentation: hostile })).panes[0];
    expect(other.pictures).toBeNull();
    expect(typeof other.pictureError).toBe('string');
  });

  it('the fields table: array fields element by element with their index, sets and scalars whole', () => {
    const table = stateTable(states[12], ['alias', 'trees', 'lockHolder', 'phase']);
    expect(table.attrs).toEqual({ 'data-test': 'fields' });
    const row = (f: string): PictureNode => table.children!.find((r) => r.children![0].text === f)!;
    expect(row('trees').children![1].children!.map((c) => [c.field, c.index, textOf(c)])).toEqual([['trees', 0, '[0]{3}']]);
    expect(row('lockHolder').children![1].children!.map(textOf)).toEqual(['[0]none']);
    expect(row('plan').children![1].children!.map((c) => [c.field, c.index, textOf(c)])).toEqual([['plan', undefined, '{1, 0, 0}']]);
    expect(row('latest').children![1].children!.map(textOf)).toEqual(['3']);
  });

  it('the page carries its script and styles exactly as the files in traces/client are', () => {
    const html = viewerHtml([{ trace: race }]);
    const dir = join(import.meta.dirname, '..', '..', 'traces', 'client');
    expect(html).toContain(`<script>${readFileSync(join(dir, 'viewer.js'), 'utf8')}</script>`);
    expect(html).toContain(`<style>${readFileSync(join(dir, 'viewer.css'), 'utf8')}</style>`);
  });
});

describe('the generic viewer', () => {
  it('names no model: nothing under traces/ mentions dns (but as part of dnsmc)', () => {
    const root = join(import.meta.dirname, '..', '..', 'traces');
    const files = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => join(f.parentPath, f.name));
    expect(files.length).toBeGreaterThanOrEqual(14);
    const naming = files.filter((f) => /\bdns\b|route ?53|enactor|planner/i.test(readFileSync(f, 'utf8').replace(/dnsmc/g, '')));
    expect(naming).toEqual([]);
  });
});

describe('the dns drawing (an SVG of the records)', () => {
  it('at the race’s last step: the arrow from the top name to plan 1 dangles in red; tree 1 is drawn deleted at step 12, tree 3 standing; the lock is free', () => {
    const p = picture(12);
    const svg = byTest(p, 'diagram');
    expect(svg.tag).toBe('svg');
    const arrow = byTest(p, 'pic-arrow-0');
    expect(arrow.attrs).toMatchObject({ 'data-from': 'top', 'data-to': 'plan 1', 'data-dangling': 'true' });
    expect(classes(arrow)).toEqual(['pic-arrow', 'dangling']);
    const line = arrow.children!.find((c) => c.tag === 'line')!;
    expect(line.attrs).toMatchObject({ stroke: '#c62828', 'stroke-dasharray': '6 4' });
    expect(textOf(arrow)).toContain('resolves to nothing');
    const t1 = byTest(p, 'pic-tree-0-1');
    expect(t1.attrs!['data-status']).toBe('deleted');
    expect(classes(t1)).toEqual(['pic-tree', 'deleted', 'changed']);
    expect(textOf(t1)).toContain('plan-1 deleted @12');
    expect(byTest(p, 'pic-tree-0-3').attrs!['data-status']).toBe('present');
    expect(byTest(p, 'pic-top-0')).toMatchObject({ field: 'alias', index: 0 });
    expect(textOf(byTest(p, 'pic-top-0'))).toContain('→ plan 1');
    expect(byTest(p, 'pic-lock-0').attrs!['data-holder']).toBe('none');
    expect(textOf(byTest(p, 'pic-enactor-1'))).toContain('enactor 1 · idle');
    // Every tag is one the viewer's allow-list keeps inside an svg.
    const allowed = new Set(['svg', 'g', 'rect', 'line', 'path', 'text', 'title', 'circle', 'polygon']);
    expect(nodes(svg).filter((n) => !allowed.has(n.tag))).toEqual([]);
  });

  it('at step 11 the arrow points at the standing tree of plan 1 (green), and enactor 0 carries plan 1; at step 9 enactor 0 holds the lock', () => {
    const p = picture(11);
    expect(byTest(p, 'pic-arrow-0').attrs).toMatchObject({ 'data-to': 'plan 1', 'data-dangling': 'false' });
    expect(byTest(p, 'pic-tree-0-1').attrs!['data-status']).toBe('present');
    expect(textOf(byTest(p, 'pic-enactor-0'))).toContain('carries plan 1');
    const holder = states.findIndex((s) => (s.lockHolder as (number | null)[])[0] === 0);
    expect(holder).toBeGreaterThan(0);
    const q = picture(holder);
    expect(byTest(q, 'pic-lock-0').attrs!['data-holder']).toBe(0);
    expect(textOf(byTest(q, 'pic-lock-0'))).toContain('held by enactor 0');
    expect(byTest(q, 'pic-holds-0-0').tag).toBe('line');
    // The initial state: no alias, so no arrow.
    expect(nodes(picture(0)).filter((n) => n.attrs?.['data-test'] === 'pic-arrow-0')).toEqual([]);
    expect(textOf(byTest(picture(0), 'pic-top-0'))).toContain('unset');
  });
});

describe('the dns step labels (the timeline rows)', () => {
  it('tell the race in the values that matter: the rollback with its plan numbers at step 11, the deletion at step 12', () => {
    const labels = states.map((_, i) => dnsPresentation.label!(asWas, states, i));
    expect(labels).toEqual([
      undefined,
      'publish plan 1',
      'picks plan 1 (latest 1)',
      'publish plan 2',
      'publish plan 3',
      'picks plan 3 (latest 3)',
      'takes lock',
      'builds tree 3',
      'flip → plan 3 (first), releases lock',
      'takes lock',
      'builds tree 1',
      'flip → plan 1 (active 3), rollback, releases lock',
      'cleanup deletes tree 1',
    ]);
  });

  it('the page carries them, and each run’s verdict', () => {
    const html = viewerPage({ trace: race, model: asWas, presentation: dnsPresentation });
    const pane = dataOf(html).panes[0];
    expect(pane.labels![11]).toBe('flip → plan 1 (active 3), rollback, releases lock');
    expect(pane.labels![0]).toBeNull();
    expect(pane.verdict).toEqual({ ok: false, text: 'aliasResolves violated at step 12 (also breaks: noRollback)' });
    // Without a presentation: no labels.
    expect(dataOf(viewerPage({ trace: race, model: asWas, presentation: undefined })).panes[0].labels).toBeNull();
  });
});

describe('the dns headline in plain words (presentation.headline)', () => {
  const run = (t: typeof race, property: string, step: number) => ({ states: [t.initial, ...t.steps.map((s) => s.state)], steps: t.steps, property, step });
  it('aliasResolves: names the endpoint, who pointed it at the plan and when it was checked, and who deleted the plan, in the order they happened', () => {
    expect(dnsHeadline(asWas, run(race, 'aliasResolves', 12))).toBe(
      "endpoint 0 resolves to nothing: enactor 0 pointed it back at plan 1 at step 11 (checked at step 2, when it was still the latest), then enactor 1's cleanup deleted plan 1 at step 12",
    );
    // The cleanup first, then the stale flip: the same outage, told in that order.
    const schedule = [...race.steps.slice(0, 10), race.steps[11], race.steps[10]].map((s) => ({ action: s.action, actor: s.actor }));
    const swapped = traceFromReplay(asWas, replay(asWas, asWas.init[0], schedule), 'aliasResolves', 'invariant');
    expect(swapped.steps.map((s) => s.action).slice(10)).toEqual(['cleanupPlans', 'flipAlias']);
    expect(dnsHeadline(asWas, run(swapped, 'aliasResolves', 12))).toBe(
      "endpoint 0 resolves to nothing: enactor 0 pointed it back at plan 1 at step 12 (checked at step 2, when it was still the latest), after enactor 1's cleanup had deleted it at step 11",
    );
  });
  it('noRollback: the endpoint, the plans, who installed the older one; nothing for a property it has no words for, or a step where nothing broke', () => {
    expect(dnsHeadline(asWas, run(race, 'noRollback', 11))).toBe(
      'endpoint 0 went back from plan 3 to the older plan 1: enactor 0 installed it at step 11 (checked at step 2, when it was still the latest)',
    );
    expect(dnsHeadline(asWas, run(race, 'lockExclusive', 12))).toBeUndefined();
    expect(dnsHeadline(asWas, run(race, 'aliasResolves', 11))).toBeUndefined();
  });
  it('the page carries it for the trace’s property, and none without a hook', () => {
    expect(dataOf(viewerPage({ trace: race, model: asWas, presentation: dnsPresentation })).panes[0]).toMatchObject({
      breaking: 12,
      plain: expect.stringMatching(/^endpoint 0 resolves to nothing: /),
    });
    const { headline: _, ...withoutHook } = dnsPresentation;
    expect(dataOf(viewerPage({ trace: race, model: asWas, presentation: withoutHook })).panes[0].plain).toBeNull();
  });
});

describe('the dns root cause as a span of steps (presentation.rootCause)', () => {
  const run = (t: typeof race, property: string, step: number) => ({ states: [t.initial, ...t.steps.map((s) => s.state)], steps: t.steps, property, step });
  it('from the freshness check to the flip that trusted it, for aliasResolves and noRollback; nothing for other properties', () => {
    const span = dnsRootCauseSpan(asWas, run(race, 'aliasResolves', 12));
    expect(span).toEqual({
      from: 2,
      to: 11,
      label: 'checked at step 2 → used at step 11',
      text: 'enactor 0 checked at step 2 that plan 1 was the latest, and trusted that at step 11, when it pointed endpoint 0 at plan 1, though plan 3 was the latest by then',
    });
    expect(dnsRootCauseSpan(asWas, run(race, 'noRollback', 11))).toMatchObject({ from: 2, to: 11 });
    expect(dnsRootCauseSpan(asWas, run(race, 'lockExclusive', 12))).toBeUndefined();
    expect(dnsRootCauseSpan(asWas, run(race, 'aliasResolves', 11))).toBeUndefined();
  });
  it('the page carries it; none without the hook, or when the hook names steps outside the run', () => {
    expect(dataOf(viewerPage({ trace: race, model: asWas, presentation: dnsPresentation })).panes[0].rootCause).toMatchObject({ from: 2, to: 11 });
    const { rootCause: _, ...withoutHook } = dnsPresentation;
    expect(dataOf(viewerPage({ trace: race, model: asWas, presentation: withoutHook })).panes[0].rootCause).toBeNull();
    for (const bad of [
      { from: 0, to: 11 },
      { from: 11, to: 2 },
      { from: 2, to: 13 },
      { from: 2.5, to: 11 },
    ]) {
      const hook: Presentation = { ...dnsPresentation, rootCause: () => ({ ...bad, label: 'x', text: 'y' }) };
      expect(dataOf(viewerPage({ trace: race, model: asWas, presentation: hook })).panes[0].rootCause).toBeNull();
    }
    const throws: Presentation = {
      ...dnsPresentation,
      rootCause: () => {
        throw new Error('no');
      },
    };
    expect(dataOf(viewerPage({ trace: race, model: asWas, presentation: throws })).panes[0].rootCause).toBeNull();
  });
});

describe('the dns strips over time', () => {
  it('show alias, trees and lock holder at every step, the selected step outlined, and a bar from each freshness check to its use', () => {
    const p = picture(12);
    const cells = (test: string): string[] => byTest(p, test).children!.map((c) => String(c.attrs!['data-value']));
    expect(cells('strip-alias-0')).toEqual(['–', '–', '–', '–', '–', '–', '–', '–', '3', '3', '3', '1', '1']);
    expect(cells('strip-trees-0')).toEqual(['–', '–', '–', '–', '–', '–', '–', '3', '3', '3', '1,3', '1,3', '3']);
    expect(cells('strip-lock-0')).toEqual(['–', '–', '–', '–', '–', '–', 'e1', 'e1', '–', 'e0', 'e0', '–', '–']);
    expect(byTest(p, 'strip-cursor').attrs!['data-step']).toBe(12);
    expect(byTest(picture(4), 'strip-cursor').attrs!['data-step']).toBe(4);
    // Enactor 1 checked plan 3 at step 5 and used it at step 8, still the latest; enactor 0 checked plan 1 at step 2 and used it at step 11, when 3 was.
    expect(byTest(p, 'check-use-1-8').attrs).toMatchObject({ 'data-checked': 5, 'data-used': 8, 'data-stale': 'false' });
    const stale = byTest(p, 'check-use-0-11');
    expect(stale.attrs).toMatchObject({ 'data-checked': 2, 'data-used': 11, 'data-stale': 'true' });
    expect(textOf(stale)).toContain('plan 1: checked at step 2 (latest 1), used at step 11 (latest 3)');
  });
});
