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
import type { Json, JsonState } from '../../checker/layout.js';
import type { Model } from '../../checker/model.js';
import type { PictureNode, Presentation, ResourceLanes } from '../../checker/package.js';
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

/** The picture of `states[i]`: the planner, each endpoint's records, the enactors. */
function dnsPicture(_model: Model, states: readonly JsonState[], i: number): PictureNode {
  const s = viewOf(states[i], `state ${i}`);
  const before = i > 0 ? viewOf(states[i - 1], `state ${i - 1}`) : s;
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
  return node('div', 'dns', undefined, { children: cards });
}

/** The dns package's presentation: endpoint lanes and the Route 53 picture. */
export const dnsPresentation: Presentation = {
  lanes: dnsLanes,
  picture: dnsPicture,
};
