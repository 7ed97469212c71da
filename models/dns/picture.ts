/**
 * How the dns model's states look in the viewer (its package's
 * presentation): one resource lane per endpoint (its Route 53 records), and
 * a picture of a state: the planner's latest plan; for each endpoint the
 * top alias (and whether it resolves), the plan trees present or deleted
 * (and at which step) and the TXT lock record's holder; the enactors table.
 *
 * Pictures are inert PictureNode trees drawn when a page is written; the
 * viewer marks the nodes whose `field`/`index` the selected step changed
 * and, side by side, those where the two runs differ. A tree chip carries
 * its own `changed` class when the step built or deleted that tree.
 */
import type { Json, JsonState } from '../../checker/state/layout.js';
import type { Model } from '../../checker/model/model.js';
import type { BrokenRun, PictureNode, Presentation, ResourceLanes, RootCauseSpan } from '../../checker/package/presentation.js';
import { actorName } from '../../checker/model/model.js';
import { showValue } from '../../traces/format.js';

/** The state fields that are an endpoint's Route 53 records. */
const RECORD_FIELDS: readonly string[] = ['alias', 'trees', 'lockHolder'];
const ENACTOR_FIELDS = ['phase', 'plan', 'endpoint', 'failures'] as const;

/** One resource lane per endpoint, touched by every step that changes `alias[k]`, `trees[k]` or `lockHolder[k]`. */
function dnsLanes(model: Model): ResourceLanes | undefined {
  const endpoints = model.params.endpoints;
  if (typeof endpoints !== 'number') return undefined;
  const lanes = Array.from({ length: endpoints }, (_, k) => ({ id: `endpoint ${k}`, label: `endpoint ${k} (Route 53)` }));
  return {
    lanes,
    of: (path) => (RECORD_FIELDS.includes(String(path[0])) && typeof path[1] === 'number' && path[1] < endpoints ? `endpoint ${path[1]}` : undefined),
  };
}

/** The parts of a dns state the picture reads, checked: a state of another layout is refused with what does not fit. */
interface DnsView {
  readonly latest: number;
  readonly alias: readonly number[];
  readonly trees: readonly (readonly number[])[];
  readonly lockHolder: readonly (number | null)[];
  readonly enactor: Readonly<Record<(typeof ENACTOR_FIELDS)[number], readonly Json[]>>;
}

function viewOf(s: JsonState, where: string): DnsView {
  const arr = (f: string): Json[] => {
    const v = s[f];
    if (!Array.isArray(v)) throw new Error(`${where}: ${f} is not an array, so this is not a dns state`);
    return v;
  };
  if (typeof s.latest !== 'number') throw new Error(`${where}: latest is not a number, so this is not a dns state`);
  const [alias, trees, lockHolder] = RECORD_FIELDS.map(arr);
  if (alias.length !== trees.length || alias.length !== lockHolder.length || !trees.every(Array.isArray)) {
    throw new Error(`${where}: alias, trees and lockHolder must hold one entry per endpoint`);
  }
  const enactor = { phase: arr('phase'), plan: arr('plan'), endpoint: arr('endpoint'), failures: arr('failures') };
  return { latest: s.latest, alias: alias as number[], trees: trees as number[][], lockHolder: lockHolder as (number | null)[], enactor };
}

const node = (tag: string, cls: string | undefined, text: string | undefined, more: Partial<PictureNode> = {}): PictureNode => ({
  tag,
  ...(cls ? { class: cls } : {}),
  ...(text !== undefined ? { text } : {}),
  ...more,
});
const kv = (key: string, ...value: PictureNode[]): PictureNode => node('div', 'kv', undefined, { children: [node('span', 'k', key), ...value] });

/** What an endpoint's plan trees have been up to a step: every tree that existed, and when each one now gone was deleted. */
interface TreeHistory {
  readonly seen: ReadonlySet<number>;
  readonly deletedAt: ReadonlyMap<number, number>;
}

/** Each state's tree history per endpoint, computed once per list of states (the viewer asks for each state of one list in turn). */
const histories = new WeakMap<readonly JsonState[], readonly (readonly TreeHistory[])[]>();
function historyOf(states: readonly JsonState[]): readonly (readonly TreeHistory[])[] {
  const known = histories.get(states);
  if (known) return known;
  const out: TreeHistory[][] = [];
  states.forEach((st, j) => {
    const trees = viewOf(st, `state ${j}`).trees;
    out.push(
      trees.map((tj, k) => {
        const prev = j > 0 ? out[j - 1][k] : undefined;
        const seen = new Set(prev?.seen);
        const deletedAt = new Map(prev?.deletedAt);
        for (const g of seen) if (!tj.includes(g) && !deletedAt.has(g)) deletedAt.set(g, j);
        for (const g of tj) {
          seen.add(g);
          deletedAt.delete(g);
        }
        return { seen, deletedAt };
      }),
    );
  });
  histories.set(states, out);
  return out;
}

// The drawing's colours, as presentation attributes, so that an exported SVG looks the same without the page's styles.
const INK = '#1b1f24';
const MUTED = '#5f6b76';
const BAD = '#c62828';
const BADBG = '#fdecea';
const OK = '#1b7f3b';
const OKBG = '#e8f5e9';
const BOX = '#f6f8fa';
const LOCK = '#6a3fb5';

const svgText = (x: number, y: number, text: string, more: Record<string, string | number> = {}): PictureNode =>
  node('text', undefined, text, { attrs: { x, y, 'font-size': 12, fill: INK, ...more } });
const rect = (x: number, y: number, w: number, hgt: number, fill: string, stroke: string, more: Record<string, string | number> = {}): PictureNode =>
  node('rect', undefined, undefined, { attrs: { x, y, width: w, height: hgt, rx: 6, fill, stroke, 'stroke-width': 1.5, ...more } });
/** An arrow from (x1, y1) to (x2, y2), its head a polygon (markers would need ids, which the viewer drops). */
function arrow(x1: number, y1: number, x2: number, y2: number, colour: string, dashed: boolean): PictureNode[] {
  const a = Math.atan2(y2 - y1, x2 - x1);
  const head = (d: number, s: number): string =>
    `${(x2 - d * Math.cos(a) + s * Math.sin(a)).toFixed(1)},${(y2 - d * Math.sin(a) - s * Math.cos(a)).toFixed(1)}`;
  return [
    node('line', undefined, undefined, {
      attrs: {
        x1,
        y1,
        x2: Number((x2 - 8 * Math.cos(a)).toFixed(1)),
        y2: Number((y2 - 8 * Math.sin(a)).toFixed(1)),
        stroke: colour,
        'stroke-width': 2.5,
        ...(dashed ? { 'stroke-dasharray': '6 4' } : {}),
      },
    }),
    node('polygon', undefined, undefined, { attrs: { points: `${x2},${y2} ${head(10, 5)} ${head(10, -5)}`, fill: colour } }),
  ];
}

/**
 * The records drawn: for each endpoint the top name with an arrow to the
 * plan tree it points at (red and dashed, dangling, when that tree is
 * gone), each tree a box (a deleted one crossed out, with the step that
 * deleted it), the TXT lock with its holder; then each enactor with the plan
 * it carries, joined to the lock it holds. Standalone SVG (colours as
 * attributes): `dnsmc export --format svg` writes it as it is.
 */
function dnsDiagram(s: DnsView, history: readonly TreeHistory[], before: DnsView): PictureNode {
  const W = 600;
  const parts: PictureNode[] = [];
  const lockAt: { x: number; y: number }[] = [];
  let y = 8;
  for (let k = 0; k < s.alias.length; k++) {
    const alias = s.alias[k];
    const trees = s.trees[k];
    const { seen, deletedAt } = history[k];
    const shown = [...seen].sort((a, b) => a - b);
    if (alias !== 0 && !seen.has(alias)) shown.push(alias);
    // Room under the top name for "resolves to nothing" when the alias dangles.
    const band = Math.max(alias !== 0 && !trees.includes(alias) ? 86 : 70, 20 + 34 * shown.length);
    parts.push(svgText(8, y + 12, `endpoint ${k}`, { fill: MUTED, 'font-weight': 600 }));
    // The top name.
    const ty = y + 20;
    const topChanged = before.alias[k] !== alias;
    parts.push(
      node('g', undefined, undefined, {
        attrs: { 'data-test': `pic-top-${k}`, 'data-plan': alias },
        field: 'alias',
        index: k,
        children: [
          node('title', undefined, alias === 0 ? 'the top name: no alias yet' : `the top name: an alias to the tree of plan ${alias}`),
          rect(8, ty, 150, 42, BOX, topChanged ? '#e0a800' : INK, topChanged ? { 'stroke-width': 3 } : {}),
          svgText(18, ty + 17, 'top name (alias)', { fill: MUTED, 'font-size': 11 }),
          svgText(18, ty + 34, alias === 0 ? 'unset' : `→ plan ${alias}`, { 'font-weight': 600 }),
        ],
      }),
    );
    // The trees.
    const treeY = new Map<number, number>();
    shown.forEach((g, q) => {
      const gy = y + 18 + 34 * q;
      treeY.set(g, gy + 13);
      const present = trees.includes(g);
      const status = present ? 'present' : seen.has(g) ? 'deleted' : 'missing';
      const changed = (before.trees[k] ?? trees).includes(g) !== present;
      const label = present
        ? `plan-${g} tree`
        : status === 'deleted'
          ? `plan-${g} deleted${deletedAt.has(g) ? ` @${deletedAt.get(g)}` : ''}`
          : `plan-${g} never built`;
      const kids: PictureNode[] = [
        node(
          'title',
          undefined,
          present
            ? `the tree of plan ${g}`
            : status === 'deleted'
              ? `the tree of plan ${g} was deleted${deletedAt.has(g) ? ` at step ${deletedAt.get(g)}` : ''}`
              : `plan ${g} has no tree`,
        ),
        rect(250, gy, 160, 26, present ? OKBG : BADBG, present ? OK : BAD, {
          ...(present ? {} : { 'stroke-dasharray': '5 3' }),
          ...(changed ? { 'stroke-width': 3 } : {}),
        }),
        svgText(260, gy + 17, label, { fill: present ? INK : BAD, ...(present ? {} : { 'text-decoration': 'line-through' }) }),
      ];
      if (!present) kids.push(node('line', undefined, undefined, { attrs: { x1: 250, y1: gy + 26, x2: 410, y2: gy, stroke: BAD, 'stroke-width': 1 } }));
      parts.push(
        node('g', `pic-tree ${status}${changed ? ' changed' : ''}`, undefined, {
          attrs: { 'data-test': `pic-tree-${k}-${g}`, 'data-status': status },
          children: kids,
        }),
      );
    });
    if (shown.length === 0) parts.push(svgText(260, y + 35, 'no plan tree yet', { fill: MUTED }));
    // The alias arrow: green to a standing tree, red, dashed and dangling to a gone one.
    if (alias !== 0) {
      const ok = trees.includes(alias);
      const to = treeY.get(alias) ?? ty + 21;
      parts.push(
        node('g', `pic-arrow ${ok ? 'ok' : 'dangling'}`, undefined, {
          attrs: { 'data-test': `pic-arrow-${k}`, 'data-from': 'top', 'data-to': `plan ${alias}`, 'data-dangling': ok ? 'false' : 'true' },
          children: [
            node(
              'title',
              undefined,
              ok ? `the alias resolves: the tree of plan ${alias} exists` : `dangling: the tree of plan ${alias} is gone, the name resolves to nothing`,
            ),
            ...arrow(158, ty + 21, 250, to, ok ? OK : BAD, !ok),
            ...(ok ? [] : [svgText(12, ty + 58, 'resolves to nothing', { fill: BAD, 'font-weight': 600, 'font-size': 11 })]),
          ],
        }),
      );
    }
    // The TXT lock record.
    const holder = s.lockHolder[k];
    const lx = 450;
    lockAt.push({ x: lx + 70, y: ty + 42 });
    parts.push(
      node('g', `pic-lock ${holder === null ? 'free' : 'held'}`, undefined, {
        attrs: { 'data-test': `pic-lock-${k}`, 'data-holder': holder === null ? 'none' : holder },
        field: 'lockHolder',
        index: k,
        children: [
          node('title', undefined, holder === null ? 'the TXT lock record: free' : `the TXT lock record: held by enactor ${holder}`),
          rect(lx, ty, 140, 42, holder === null ? BOX : '#efe8fb', LOCK),
          // A padlock: shackle and body.
          node('path', undefined, undefined, {
            attrs: { d: `M ${lx + 12} ${ty + 20} v -6 a 6 6 0 0 1 12 0 v 6`, fill: 'none', stroke: LOCK, 'stroke-width': 2 },
          }),
          rect(lx + 9, ty + 19, 18, 14, LOCK, LOCK, { rx: 2 }),
          svgText(lx + 34, ty + 17, 'TXT lock', { fill: MUTED, 'font-size': 11 }),
          svgText(lx + 34, ty + 34, holder === null ? 'free' : `held by enactor ${holder}`, { 'font-weight': 600 }),
        ],
      }),
    );
    y += band + 8;
  }
  // The enactors, each with the plan it carries; a line to the lock it holds.
  const n = s.enactor.phase.length;
  const ew = Math.min(180, Math.floor((W - 8) / Math.max(1, n)) - 8);
  const ey = y + 10;
  for (let e = 0; e < n; e++) {
    const ex = 8 + e * (ew + 8);
    const phase = showValue(s.enactor.phase[e] ?? null);
    const plan = s.enactor.plan[e];
    const carries = typeof plan === 'number' && plan !== 0 ? `carries plan ${plan}` : 'carries no plan';
    const endpoint = s.alias.length > 1 && typeof plan === 'number' && plan !== 0 ? `, endpoint ${showValue(s.enactor.endpoint[e] ?? null)}` : '';
    const kids: PictureNode[] = [
      node('title', undefined, `enactor ${e}: ${phase}, ${carries}${endpoint}`),
      rect(ex, ey, ew, 44, BOX, '#0b5cad'),
      svgText(ex + 8, ey + 17, `enactor ${e} · ${phase}`, { 'font-weight': 600 }),
      svgText(ex + 8, ey + 34, `${carries}${endpoint}`, { 'font-size': 11 }),
    ];
    parts.push(
      node('g', 'pic-enactor', undefined, {
        attrs: { 'data-test': `pic-enactor-${e}`, 'data-plan': typeof plan === 'number' ? plan : 'none' },
        field: 'plan',
        index: e,
        children: kids,
      }),
    );
    s.lockHolder.forEach((h, k) => {
      if (h === e) {
        parts.push(
          node('line', 'pic-holds', undefined, {
            attrs: {
              x1: ex + ew / 2,
              y1: ey,
              x2: lockAt[k].x,
              y2: lockAt[k].y,
              stroke: LOCK,
              'stroke-width': 1.5,
              'stroke-dasharray': '3 3',
              'data-test': `pic-holds-${e}-${k}`,
            },
          }),
        );
      }
    });
  }
  const height = ey + 52;
  return node('svg', 'dns-diagram', undefined, {
    attrs: {
      width: W,
      height,
      viewBox: `0 0 ${W} ${height}`,
      role: 'img',
      'aria-label': 'the Route 53 records and the enactors, drawn',
      'data-test': 'diagram',
      'font-family': 'sans-serif',
    },
    children: parts,
  });
}

/** A flip of an endpoint's alias, and the freshness check it relied on: when its enactor picked the plan, and the latest plan then and at the flip. */
interface CheckToUse {
  readonly endpoint: number;
  readonly enactor: number;
  readonly plan: number;
  readonly checkedAt: number;
  readonly latestThen: number;
  readonly usedAt: number;
  readonly latestAtUse: number;
}

/** Every flip in the states, with the step its plan was picked (the one-time freshness check). */
function checksToUse(views: readonly DnsView[]): CheckToUse[] {
  const out: CheckToUse[] = [];
  for (let j = 1; j < views.length; j++) {
    const a = views[j - 1];
    const b = views[j];
    for (let k = 0; k < b.alias.length; k++) {
      if (a.alias[k] === b.alias[k]) continue;
      const plan = b.alias[k];
      const e = b.enactor.plan.findIndex((p, x) => p === plan && a.enactor.phase[x] === 'flip');
      if (e < 0) continue;
      let c = j - 1;
      while (c > 0 && !(views[c].enactor.plan[e] === plan && views[c - 1].enactor.plan[e] !== plan)) c--;
      out.push({ endpoint: k, enactor: e, plan, checkedAt: c, latestThen: views[c].latest, usedAt: j, latestAtUse: a.latest });
    }
  }
  return out;
}

/** Above this many steps the picture draws no strips: too thin to read, and every state's picture carries them. */
const MAX_STRIP_STEPS = 60;

/** The states' views and flips, computed once per list of states. */
const stripData = new WeakMap<readonly JsonState[], { views: DnsView[]; flips: CheckToUse[] }>();

/**
 * Strips over time: for each endpoint, its alias, its trees and its lock
 * holder at every step, with the selected step marked; and for each flip a
 * bar from the freshness check (when the enactor picked the plan) to its use
 * (the flip), red when the plan was no longer the latest.
 */
function dnsStrips(states: readonly JsonState[], i: number): PictureNode | undefined {
  const n = states.length - 1;
  if (n > MAX_STRIP_STEPS) return undefined;
  let known = stripData.get(states);
  if (!known) {
    const views = states.map((st, j) => viewOf(st, `state ${j}`));
    known = { views, flips: checksToUse(views) };
    stripData.set(states, known);
  }
  const { views, flips } = known;
  const LEFT = 96;
  const cw = Math.max(4, Math.min(34, Math.floor(490 / (n + 1))));
  const W = LEFT + cw * (n + 1) + 8;
  const parts: PictureNode[] = [];
  let y = 4;
  const row = (label: string, test: string, value: (v: DnsView) => string, tone: (v: DnsView) => string): void => {
    parts.push(svgText(4, y + 13, label, { fill: MUTED, 'font-size': 11 }));
    const cells: PictureNode[] = [];
    views.forEach((v, j) => {
      const text = value(v);
      cells.push(
        node('g', undefined, undefined, {
          attrs: { 'data-step': j, 'data-value': text },
          children: [
            node('title', undefined, `step ${j}: ${label} ${text}`),
            rect(LEFT + cw * j, y, cw - 1, 18, tone(v), 'none', { rx: 2, 'stroke-width': 0 }),
            ...(cw >= 18 ? [svgText(LEFT + cw * j + cw / 2, y + 13, text, { 'font-size': 10, 'text-anchor': 'middle' })] : []),
          ],
        }),
      );
    });
    parts.push(node('g', undefined, undefined, { attrs: { 'data-test': test }, children: cells }));
    y += 22;
  };
  for (let k = 0; k < views[0].alias.length; k++) {
    const at = views[0].alias.length > 1 ? ` ${k}` : '';
    row(
      `alias${at}`,
      `strip-alias-${k}`,
      (v) => (v.alias[k] === 0 ? '–' : String(v.alias[k])),
      (v) => (v.alias[k] === 0 ? BOX : v.trees[k].includes(v.alias[k]) ? OKBG : '#f7c5c0'),
    );
    row(
      `trees${at}`,
      `strip-trees-${k}`,
      (v) => v.trees[k].join(',') || '–',
      () => BOX,
    );
    row(
      `lock${at}`,
      `strip-lock-${k}`,
      (v) => (v.lockHolder[k] === null ? '–' : `e${v.lockHolder[k]}`),
      (v) => (v.lockHolder[k] === null ? BOX : '#efe8fb'),
    );
  }
  // Check to use: a bar per flip, from the freshness check to the flip.
  for (const f of flips) {
    const stale = f.latestAtUse !== f.plan;
    const colour = stale ? BAD : OK;
    const x1 = LEFT + cw * f.checkedAt + cw / 2;
    const x2 = LEFT + cw * f.usedAt + cw / 2;
    parts.push(
      node('g', `pic-check ${stale ? 'stale' : 'fresh'}`, undefined, {
        attrs: {
          'data-test': `check-use-${f.enactor}-${f.usedAt}`,
          'data-checked': f.checkedAt,
          'data-used': f.usedAt,
          'data-stale': stale ? 'true' : 'false',
        },
        children: [
          node(
            'title',
            undefined,
            `enactor ${f.enactor} checked plan ${f.plan} at step ${f.checkedAt} (latest ${f.latestThen}) and used it at step ${f.usedAt} (latest ${f.latestAtUse})`,
          ),
          node('line', undefined, undefined, { attrs: { x1, y1: y + 9, x2, y2: y + 9, stroke: colour, 'stroke-width': 2 } }),
          node('circle', undefined, undefined, { attrs: { cx: x1, cy: y + 9, r: 4, fill: colour } }),
          node('circle', undefined, undefined, { attrs: { cx: x2, cy: y + 9, r: 4, fill: colour } }),
          svgText(4, y + 13, `e${f.enactor} check→use`, { fill: MUTED, 'font-size': 11 }),
          svgText(LEFT, y + 27, `plan ${f.plan}: checked at step ${f.checkedAt} (latest ${f.latestThen}), used at step ${f.usedAt} (latest ${f.latestAtUse})`, {
            'font-size': 10,
            fill: colour,
          }),
        ],
      }),
    );
    y += 34;
  }
  // The selected step.
  parts.push(
    node('rect', undefined, undefined, {
      attrs: {
        x: LEFT + cw * i - 1,
        y: 1,
        width: cw + 1,
        height: y + 2,
        fill: 'none',
        stroke: '#e0a800',
        'stroke-width': 2,
        'data-test': 'strip-cursor',
        'data-step': i,
      },
    }),
  );
  const height = y + 6;
  return node('svg', 'dns-strips', undefined, {
    attrs: {
      width: Math.max(W, 600),
      height,
      viewBox: `0 0 ${Math.max(W, 600)} ${height}`,
      role: 'img',
      'aria-label': 'the records over time',
      'data-test': 'strips',
      'font-family': 'sans-serif',
    },
    children: parts,
  });
}

/** The picture of `states[i]`: the planner, each endpoint's records, the enactors. */
function dnsPicture(_model: Model, states: readonly JsonState[], i: number): PictureNode {
  const s = viewOf(states[i], `state ${i}`);
  const before = i > 0 ? viewOf(states[i - 1], `state ${i - 1}`) : s;
  const strip = dnsStrips(states, i);
  const drawing = node('div', 'card drawing', undefined, {
    attrs: { 'data-view': 'drawing' },
    children: [node('h3', undefined, 'the records, drawn'), dnsDiagram(s, historyOf(states)[i], before)],
  });
  const overTime = strip
    ? [
        node('div', 'card strips', undefined, {
          attrs: { 'data-view': 'over time' },
          children: [node('h3', undefined, 'over time (the selected step outlined)'), strip],
        }),
      ]
    : [];
  const cards: PictureNode[] = [
    node('div', 'card', undefined, {
      children: [
        node('h3', undefined, 'the planner'),
        kv('latest plan', node('span', 'chip', String(s.latest), { attrs: { 'data-test': 'latest' }, field: 'latest' })),
      ],
    }),
  ];
  for (let k = 0; k < s.alias.length; k++) {
    const trees = s.trees[k];
    const alias = s.alias[k];
    const { seen, deletedAt } = historyOf(states)[i][k];
    const aliasRow: PictureNode[] = [
      node('span', 'chip alias', alias === 0 ? 'unset' : `→ plan ${alias}`, {
        attrs: { 'data-test': `alias-${k}`, 'data-plan': alias },
        field: 'alias',
        index: k,
      }),
    ];
    if (alias !== 0) {
      const ok = trees.includes(alias);
      const words = ok
        ? `resolves (tree of plan ${alias} exists)`
        : `resolves to NOTHING: the tree of plan ${alias}${seen.has(alias) ? ' was deleted' : ' does not exist'}`;
      aliasRow.push(node('span', `resolves ${ok ? 'ok' : 'bad'}`, words, { attrs: { 'data-test': `resolves-${k}` } }));
    }
    const shown = [...seen].sort((a, b) => a - b);
    if (alias !== 0 && !seen.has(alias)) shown.push(alias);
    const prevTrees = before.trees[k] ?? trees;
    const chips: PictureNode[] =
      shown.length === 0
        ? [node('span', 'chip', 'none yet')]
        : shown.map((g) => {
            const present = trees.includes(g);
            const status = present ? 'present' : seen.has(g) ? 'deleted' : 'missing';
            const changed = prevTrees.includes(g) !== present;
            const why = seen.has(g) ? `(deleted${deletedAt.has(g) ? ` at step ${deletedAt.get(g)}` : ''})` : '(never built)';
            return node('span', `chip tree ${present ? 'present' : 'deleted'}${g === alias ? ' target' : ''}${changed ? ' changed' : ''}`, `plan-${g}`, {
              attrs: { 'data-test': `tree-${k}-${g}`, 'data-status': status },
              ...(present ? {} : { children: [node('span', 'why', why)] }),
            });
          });
    const holder = s.lockHolder[k];
    cards.push(
      node('div', 'card', undefined, {
        attrs: { 'data-test': `endpoint-${k}` },
        children: [
          node('h3', undefined, `endpoint ${k}: Route 53 records`),
          kv('top alias', ...aliasRow),
          kv('plan trees', node('span', 'trees', undefined, { field: 'trees', index: k, children: chips })),
          kv(
            'TXT lock record',
            node('span', 'chip', holder === null ? 'free' : `held by enactor ${holder}`, {
              attrs: { 'data-test': `lock-${k}` },
              field: 'lockHolder',
              index: k,
            }),
          ),
        ],
      }),
    );
  }
  const cols = s.alias.length > 1 ? ENACTOR_FIELDS : ENACTOR_FIELDS.filter((c) => c !== 'endpoint');
  const rows: PictureNode[] = [
    node('tr', undefined, undefined, {
      children: [node('th', undefined, 'enactor'), ...cols.map((c) => node('th', undefined, c === 'failures' ? 'failed lock attempts' : c))],
    }),
  ];
  for (let e = 0; e < s.enactor.phase.length; e++) {
    rows.push(
      node('tr', undefined, undefined, {
        attrs: { 'data-test': `enactor-${e}` },
        children: [node('th', undefined, `enactor ${e}`), ...cols.map((c) => node('td', 'num', showValue(s.enactor[c][e] ?? null), { field: c, index: e }))],
      }),
    );
  }
  cards.push(node('div', 'card', undefined, { children: [node('h3', undefined, 'enactors'), node('table', 'grid', undefined, { children: rows })] }));
  // Three views the viewer shows one at a time: the drawing, the strips over time, the records and enactors as text.
  return node('div', 'dns', undefined, {
    children: [drawing, ...overTime, node('div', 'records', undefined, { attrs: { 'data-view': 'records' }, children: cards })],
  });
}

/**
 * What step `i` did, in the values that matter, read from the states before
 * and after it: `publish plan 3`, `picks plan 1 (latest 1)`, `takes lock`,
 * `builds tree 1`, `flip → plan 1 (active 3), rollback`, `releases lock`,
 * `cleanup deletes tree 1`, `lock busy (2 failed)`, `gives up plan 1 (active 3)`. With more than
 * one endpoint, each record change names its endpoint.
 */
export function dnsStepLabel(_model: Model, states: readonly JsonState[], i: number): string | undefined {
  if (i <= 0) return undefined;
  const a = viewOf(states[i - 1], `state ${i - 1}`);
  const b = viewOf(states[i], `state ${i}`);
  const many = b.alias.length > 1;
  const at = (k: number): string => (many ? ` (endpoint ${k})` : '');
  const out: string[] = [];
  if (b.latest !== a.latest) out.push(`publish plan ${b.latest}`);
  for (let e = 0; e < b.enactor.plan.length; e++) {
    const [p0, p1] = [a.enactor.plan[e], b.enactor.plan[e]];
    if (p1 !== p0 && p1 !== 0) out.push(`picks plan ${showValue(p1 ?? null)} (latest ${b.latest})`);
    const [f0, f1] = [a.enactor.failures[e], b.enactor.failures[e]];
    if (typeof f0 === 'number' && typeof f1 === 'number' && f1 > f0) out.push(`lock busy (${f1} failed)`);
  }
  const released: string[] = [];
  for (let k = 0; k < b.alias.length; k++) {
    const [h0, h1] = [a.lockHolder[k], b.lockHolder[k]];
    if (h1 !== h0 && h1 !== null) out.push(`takes lock${at(k)}`);
    for (const g of b.trees[k]) if (!a.trees[k].includes(g)) out.push(`builds tree ${g}${at(k)}`);
    const [x0, x1] = [a.alias[k], b.alias[k]];
    if (x1 !== x0) out.push(`flip → plan ${x1}${at(k)} (${x0 === 0 ? 'first' : `active ${x0}`})${x0 !== 0 && x1 < x0 ? ', rollback' : ''}`);
    if (h1 !== h0 && h0 !== null) released.push(`releases lock${at(k)}`);
  }
  out.push(...released);
  const cleans = b.enactor.phase.some((ph, e) => a.enactor.phase[e] === 'cleanup' && ph !== 'cleanup');
  const deletes: string[] = [];
  for (let k = 0; k < b.alias.length; k++) for (const g of a.trees[k]) if (!b.trees[k].includes(g)) deletes.push(`tree ${g}${at(k)}`);
  if (deletes.length > 0) out.push(`${cleans ? 'cleanup ' : ''}deletes ${deletes.join(', ')}`);
  else if (cleans) out.push('cleanup, nothing to delete');
  // An enactor that lets go of its plan without flipping or deleting anything gives up on it.
  if (!cleans && !out.some((w) => w.startsWith('flip'))) {
    for (let e = 0; e < b.enactor.plan.length; e++) {
      const p0 = a.enactor.plan[e];
      if (p0 !== b.enactor.plan[e] && b.enactor.plan[e] === 0) {
        const k = a.enactor.endpoint[e];
        const active = typeof k === 'number' ? b.alias[k] : undefined;
        out.unshift(`gives up plan ${showValue(p0 ?? null)}${active ? ` (active ${active})` : ''}`);
      }
    }
  }
  return out.length > 0 ? out.join(', ') : undefined;
}

/** The last step up to `step` that set endpoint k's alias to `plan`, and what the alias was before. */
function lastFlipTo(views: readonly DnsView[], step: number, k: number, plan: number): { at: number; from: number } | undefined {
  for (let j = step; j > 0; j--) if (views[j].alias[k] === plan && views[j - 1].alias[k] !== plan) return { at: j, from: views[j - 1].alias[k] };
  return undefined;
}

/** The step where the enactor of flip `j` picked the plan it flipped to (its one freshness check), when plain. */
function pickedAt(views: readonly DnsView[], steps: BrokenRun['steps'], j: number, plan: number): number | undefined {
  const e = steps[j - 1]?.actor;
  if (e === undefined || views[j].enactor.plan[e] !== plan) return undefined;
  let c = j - 1;
  while (c > 0 && !(views[c].enactor.plan[e] === plan && views[c - 1].enactor.plan[e] !== plan)) c--;
  return c > 0 ? c : undefined;
}

/**
 * The endpoint whose alias the broken property blames and the plan it points at: for aliasResolves, an alias on a
 * plan whose tree is missing; for noRollback, an alias that went back to an older plan at `step`.
 */
function blamedAlias(views: readonly DnsView[], property: string, step: number): { k: number; plan: number } | undefined {
  const now = views[step];
  let k = -1;
  if (property === 'aliasResolves') k = now.alias.findIndex((a, x) => a !== 0 && !now.trees[x].includes(a));
  else if (property === 'noRollback') k = now.alias.findIndex((a, x) => views[step - 1].alias[x] !== 0 && a < views[step - 1].alias[x]);
  return k < 0 ? undefined : { k, plan: now.alias[k] };
}

/**
 * The root cause as a span of steps (the viewer's red bar on the timeline):
 * from the enactor's one-time freshness check (when it picked the plan) to
 * the flip that trusted it, for aliasResolves and noRollback; undefined when
 * the flip's plan was not picked in the run or other properties.
 */
export function dnsRootCauseSpan(model: Model, run: BrokenRun): RootCauseSpan | undefined {
  const { states, steps, property, step } = run;
  if (step <= 0 || step >= states.length) return undefined;
  const views = states.slice(0, step + 1).map((s, j) => viewOf(s, `state ${j}`));
  const blamed = blamedAlias(views, property, step);
  const at = !blamed ? undefined : property === 'noRollback' ? step : lastFlipTo(views, step, blamed.k, blamed.plan)?.at;
  if (!blamed || at === undefined) return undefined;
  const flip = { ...blamed, at };
  const c = pickedAt(views, steps, flip.at, flip.plan);
  const s = steps[flip.at - 1];
  if (c === undefined || !s) return undefined;
  const who = actorName(model, s.role, s.actor);
  const latest = views[flip.at - 1].latest;
  const checked =
    views[c].latest === flip.plan
      ? `checked at step ${c} that plan ${flip.plan} was the latest`
      : `picked plan ${flip.plan} at step ${c} (the latest was plan ${views[c].latest})`;
  return {
    from: c,
    to: flip.at,
    label: `checked at step ${c} → used at step ${flip.at}`,
    text: `${who} ${checked}, and trusted that at step ${flip.at}, when it pointed endpoint ${flip.k} at plan ${flip.plan}${latest !== flip.plan ? `, though plan ${latest} was the latest by then` : ''}`,
  };
}

/**
 * What went wrong, in plain words: for aliasResolves, which endpoint resolves
 * to nothing, who pointed it at the plan, when that plan was picked, and who
 * deleted its tree, in the order they happened; for noRollback, which
 * endpoint went back to which older plan, and who did it. Read from the
 * states and the steps' actors; undefined for other properties.
 */
export function dnsHeadline(model: Model, run: BrokenRun): string | undefined {
  const { states, steps, property, step } = run;
  if (step <= 0 || step >= states.length) return undefined;
  const views = states.slice(0, step + 1).map((s, j) => viewOf(s, `state ${j}`));
  const who = (j: number): string => {
    const s = steps[j - 1];
    return s ? actorName(model, s.role, s.actor) : `step ${j}`;
  };
  const picked = (j: number, plan: number): string => {
    const c = pickedAt(views, steps, j, plan);
    if (c === undefined) return '';
    return views[c].latest === plan && views[j - 1].latest !== plan ? ` (checked at step ${c}, when it was still the latest)` : ` (picked at step ${c})`;
  };
  const blamed = blamedAlias(views, property, step);
  if (!blamed) return undefined;
  const { k, plan } = blamed;
  if (property === 'aliasResolves') {
    const name = `endpoint ${k}`;
    const flip = lastFlipTo(views, step, k, plan);
    let deleted: number | undefined;
    for (let j = step; j > 0 && deleted === undefined; j--) if (views[j - 1].trees[k].includes(plan) && !views[j].trees[k].includes(plan)) deleted = j;
    const pointed = flip
      ? `${who(flip.at)} pointed it ${flip.from > plan ? 'back ' : ''}at plan ${plan} at step ${flip.at}${picked(flip.at, plan)}`
      : `its alias points at plan ${plan}`;
    if (deleted === undefined) return `${name} resolves to nothing: ${pointed}, whose tree was never built`;
    const cleanup = steps[deleted - 1]?.action === 'cleanupPlans' ? "'s cleanup" : '';
    const deleter = `${who(deleted)}${cleanup}`;
    if (flip && flip.at < deleted) return `${name} resolves to nothing: ${pointed}, then ${deleter} deleted plan ${plan} at step ${deleted}`;
    return `${name} resolves to nothing: ${pointed}, after ${deleter} had deleted it at step ${deleted}`;
  }
  return `endpoint ${k} went back from plan ${views[step - 1].alias[k]} to the older plan ${plan}: ${who(step)} installed it at step ${step}${picked(step, plan)}`;
}

/** The dns state's fields in the protocol's words: per endpoint (its records) or per enactor (what it carries). */
const FIELD_WORDS: Readonly<Record<string, (i: number | undefined) => string>> = {
  latest: () => 'the latest plan number',
  alias: (k) => (k === undefined ? 'the top aliases' : `the top alias of endpoint ${k}`),
  trees: (k) => (k === undefined ? 'the plan trees' : `the plan trees of endpoint ${k}`),
  lockHolder: (k) => (k === undefined ? 'the locks' : `the lock of endpoint ${k}`),
  phase: (e) => (e === undefined ? "the enactors' phases" : `enactor ${e}'s phase`),
  plan: (e) => (e === undefined ? "the enactors' plans" : `enactor ${e}'s plan`),
  endpoint: (e) => (e === undefined ? "the enactors' endpoints" : `enactor ${e}'s endpoint`),
  failures: (e) => (e === undefined ? "the enactors' failed lock attempts" : `enactor ${e}'s failed lock attempts`),
};

/** A dns state field (and element) in the protocol's words: `lockHolder`, 0 → `the lock of endpoint 0`; undefined for a field it does not know. */
export function dnsFieldName(_model: Model, field: string, index: number | undefined): string | undefined {
  return Object.hasOwn(FIELD_WORDS, field) ? FIELD_WORDS[field](index) : undefined;
}

/** The dns package's presentation: endpoint lanes, the Route 53 picture, what each step did, and what went wrong in plain words. */
export const dnsPresentation: Presentation = {
  lanes: dnsLanes,
  picture: dnsPicture,
  label: dnsStepLabel,
  headline: dnsHeadline,
  rootCause: dnsRootCauseSpan,
  fieldName: dnsFieldName,
};
