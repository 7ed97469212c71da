/**
 * The trace viewer: one self-contained HTML file (inline CSS and script, no
 * network, no CDN) that walks through a trace step by step, or through two
 * traces side by side, aligned by step, with the first divergence marked.
 *
 * It shows a timeline (a sequence diagram: one lane per actor, then any
 * resource lanes; each step a mark on its actor's lane labelled with the
 * action), the selected step's narration, what it changed (from its patches),
 * the properties it breaks, and the state: a picture of it when the model's
 * package has one (its presentation), and a table of every field. The viewer
 * knows no model. Navigation: arrow keys, Home, End, a slider; `#step=N` in
 * the URL keeps the selected step and is read on load.
 *
 * The page's script and styles are the files client/viewer.js and
 * client/viewer.css, inlined as they are. Everything shown is computed here,
 * when the page is written: values are formatted by format.ts (as the text
 * output formats them) and the model's pictures are drawn into inert
 * PictureNode trees, which the script builds under an allow-list of tags and
 * attributes. The pictures and fields tables of all states are carried as one
 * table of distinct nodes, and the alternatives as one table of distinct
 * alternatives, so a page stays within a small multiple of its trace
 * (docs/viewer.md: at most 3 times its file).
 *
 * A trace is untrusted input. Its JSON is embedded in a
 * `<script type="application/json">` block with `<`, `>`, `&`, U+2028 and
 * U+2029 escaped as `\u003c` etc., so it can never close that element; the
 * page script reads it with JSON.parse and puts every string on the page
 * with textContent or createTextNode, never as markup. A
 * Content-Security-Policy forbids every network request and every script and
 * style but the page's own (by their SHA-256 hashes).
 */
import { thrownText } from '../checker/model/model-error.js';
import { ATTRS, HTML_TAGS, SVG_TAGS } from './picture-allow.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FieldSpec, JsonState } from '../checker/state/layout.js';
import type { Model } from '../checker/model/model.js';
import { locationNamer, type PictureNode, type Presentation } from '../checker/package/presentation.js';
import type { AlignedRow, PageData, PageNode, PaneData, RowStatus } from './client/data.js';
import { changeLines, showValue } from './format.js';
import { laneOptionsFor, sequenceOf, type LaneOptions } from './lanes.js';
import { stateTable } from './state-table.js';
import { loopOf, traceTitle } from './text.js';
import { explainRun, type CriticalOrdering, type Explanation, type StepAccess } from '../checker/runs/explain.js';
import { alternativesOf, type Alternative } from './alternatives.js';
import { TraceError, type Trace } from './trace.js';
import { writeFileAtomic } from './io.js';

export type { AlignedRow, RowStatus } from './client/data.js';

/** Above this many cells the alignment falls back from a longest common subsequence to step-by-step pairing. */
const MAX_ALIGN_CELLS = 4_000_000;

/**
 * Aligns two traces by step. Steps are matched by (action, actor) along a
 * longest common subsequence of the two schedules, so a step that one run
 * could not take leaves a gap on that side; matched steps are `same` when
 * the states after them are equal, `differs` otherwise. Row 0 pairs the
 * initial states.
 */
export function alignTraces(a: Trace, b: Trace): AlignedRow[] {
  const n = a.steps.length;
  const m = b.steps.length;
  const key = (t: Trace, i: number): string => `${t.steps[i].action}\u0000${t.steps[i].actor}`;
  const eq = (i: number, j: number): RowStatus => (JSON.stringify(a.steps[i - 1].state) === JSON.stringify(b.steps[j - 1].state) ? 'same' : 'differs');
  const rows: AlignedRow[] = [{ a: 0, b: 0, status: JSON.stringify(a.initial) === JSON.stringify(b.initial) ? 'same' : 'differs' }];
  if ((n + 1) * (m + 1) > MAX_ALIGN_CELLS) {
    for (let i = 1; i <= Math.max(n, m); i++) {
      if (i <= n && i <= m) rows.push({ a: i, b: i, status: key(a, i - 1) === key(b, i - 1) ? eq(i, i) : 'differs' });
      else rows.push(i <= n ? { a: i, b: null, status: 'only-a' } : { a: null, b: i, status: 'only-b' });
    }
    return rows;
  }
  // lcs[i * (m + 1) + j]: longest common subsequence of a.steps[i..] and b.steps[j..].
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = key(a, i) === key(b, j) ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && key(a, i) === key(b, j) && lcs[i * w + j] === lcs[(i + 1) * w + j + 1] + 1) {
      rows.push({ a: i + 1, b: j + 1, status: eq(i + 1, j + 1) });
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
      rows.push({ a: i + 1, b: null, status: 'only-a' });
      i++;
    } else {
      rows.push({ a: null, b: j + 1, status: 'only-b' });
      j++;
    }
  }
  return rows;
}

/** The first row where two aligned traces differ, or null when they agree throughout. */
export function firstDivergence(rows: readonly AlignedRow[]): number | null {
  const r = rows.findIndex((x) => x.status !== 'same');
  return r < 0 ? null : r;
}

/** One trace to show, with how to label it, lay out its lanes and draw its states. */
export interface ViewerPane {
  readonly trace: Trace;
  /** Shown above the pane, e.g. the file name and variant. Default: the trace's model and variant. */
  readonly label?: string;
  /** The model the trace belongs to: its actors name the lanes, its field spec says which fields are arrays. */
  readonly model?: Model;
  /** How the model's package presents states: resource lanes and a picture of each state (see checker/package/package.ts). */
  readonly presentation?: Presentation;
  /** The lanes. Default: from the model and the presentation, or else from the trace's steps. */
  readonly lanes?: LaneOptions;
  /**
   * The model's field spec (its layout's `fields`; default: the model's):
   * says which fields are arrays shown element by element, and which JSON
   * arrays are sets. Without it, a field counts as an array when some patch
   * addresses one element.
   */
  readonly fields?: FieldSpec;
}

/** Fields that hold one value per index, from the field spec, or else from the patches that address one element. */
function arrayFields(trace: Trace, fields: FieldSpec | undefined): string[] {
  if (fields)
    return Object.entries(fields)
      .filter(([, f]) => f.kind === 'array')
      .map(([name]) => name);
  const out = new Set<string>();
  for (const s of trace.steps) for (const q of s.patches) if (Array.isArray(q.path) && q.path.length > 1) out.add(String(q.path[0]));
  return [...out];
}

/** Options for {@link viewerHtml}. */
export interface ViewerOptions {
  /** The page heading. Default: the first trace's headline (and, when comparing, the second's label). */
  readonly title?: string;
}

/** Escapes JSON for a `<script type="application/json">` block: nothing in it can end the element or start markup. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('base64');

/** The page's script and styles, read once from client/ beside this module (the build copies them next to the compiled one). */
let assets: { readonly script: string; readonly style: string } | undefined;
function pageAssets(): { readonly script: string; readonly style: string } {
  if (assets) return assets;
  const read = (name: string, end: string): string => {
    const url = new URL(`./client/${name}`, import.meta.url);
    let text: string;
    try {
      text = readFileSync(url, 'utf8');
    } catch (e) {
      throw new Error(
        `the viewer's ${name} is missing at ${fileURLToPath(url)} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'}); npm run build puts it there`,
      );
    }
    if (text.toLowerCase().includes(end)) throw new Error(`the viewer's ${name} contains ${end}, which would end its element early`);
    return text;
  };
  assets = { script: read('viewer.js', '</script'), style: read('viewer.css', '</style') };
  return assets;
}

function paneLabel(p: ViewerPane): string {
  return p.label ?? `${p.trace.model}${p.trace.variant ? ` (${p.trace.variant})` : ''}`;
}

/** The header line of a trace: model, variant, parameters, steps. */
function summaryOf(t: Trace): string {
  const params = Object.entries(t.params)
    .filter(([k]) => k !== 'variant')
    .map(([k, v]) => `${k} ${showValue(v)}`);
  return `model ${t.model}${t.variant ? `, variant ${t.variant}` : ''}${params.length > 0 ? `; ${params.join(', ')}` : ''}; ${t.steps.length} steps`;
}

/** How deep a picture is kept: the page script builds no deeper either. */
const MAX_PICTURE_DEPTH = 64;

/**
 * The page's table of picture nodes: each distinct subtree once (keyed by its
 * JSON, children as indexes), so that a page grows with what changes from
 * state to state, not with the number of states times the size of a picture.
 * Only a node's PictureNode fields are kept; a child that is not a node, or
 * lies deeper than the page builds, is dropped here as the page would drop it.
 */
class NodeTable {
  readonly nodes: PageNode[] = [];
  private readonly ids = new Map<string, number>();
  private readonly keys: string[] = [];

  /** The index of `n` in the table (added, with its subtrees, when new); -1 for what is not a node. */
  add(n: unknown, depth = 0): number {
    if (depth > MAX_PICTURE_DEPTH || n === null || typeof n !== 'object' || Array.isArray(n)) return -1;
    const node = n as PictureNode;
    const children = Array.isArray(node.children) ? node.children.map((c) => this.add(c, depth + 1)).filter((c) => c >= 0) : undefined;
    const entry: PageNode = {
      tag: node.tag,
      ...(node.class !== undefined ? { class: node.class } : {}),
      ...(node.text !== undefined ? { text: node.text } : {}),
      ...(node.attrs !== undefined ? { attrs: node.attrs } : {}),
      ...(node.field !== undefined ? { field: node.field } : {}),
      ...(node.index !== undefined ? { index: node.index } : {}),
      ...(children !== undefined ? { children } : {}),
    };
    const key = JSON.stringify(entry);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.nodes.length;
      this.nodes.push(entry);
      this.keys.push(key);
      this.ids.set(key, id);
    }
    return id;
  }

  /** How many nodes the table holds (a mark to {@link truncate} to). */
  get size(): number {
    return this.nodes.length;
  }

  /** Forgets the nodes added since the table had `size` nodes. */
  truncate(size: number): void {
    for (const key of this.keys.splice(size)) this.ids.delete(key);
    this.nodes.length = size;
  }
}

/** The model's pictures of every state of the trace (indexes into `table`), or why they could not be drawn. */
function picturesOf(p: ViewerPane, states: readonly JsonState[], table: NodeTable): { pictures: number[] | null; error: string | null } {
  const draw = p.presentation?.picture;
  if (!draw || !p.model) return { pictures: null, error: null };
  const model = p.model;
  const mark = table.size;
  try {
    // One state at a time: a picture is in the table, and then garbage, before the next is drawn.
    return { pictures: states.map((_, i) => table.add(draw.call(p.presentation, model, states, i))), error: null };
  } catch (e) {
    table.truncate(mark);
    return { pictures: null, error: thrownText(e) };
  }
}

/** The model's labels of every step of the trace (null where it has none), or null when it offers none or they could not be made. */
function labelsOf(p: ViewerPane, states: readonly JsonState[]): (string | null)[] | null {
  const label = p.presentation?.label;
  if (!label || !p.model) return null;
  const model = p.model;
  try {
    return states.map((_, i) => (i === 0 ? null : (label.call(p.presentation, model, states, i) ?? null)));
  } catch {
    return null;
  }
}

/** Above this many steps a page carries no alternatives (each step costs a replay of every enabled action). */
export const MAX_ALTERNATIVE_STEPS = 2_000;
/** Above this many steps the viewer refuses a trace: a timeline that long cannot be read (export it as markdown instead). */
export const MAX_VIEW_STEPS = 20_000;

/** The page's table of alternatives: each distinct one once. */
class AlternativeTable {
  readonly list: Alternative[] = [];
  private readonly ids = new Map<string, number>();

  add(a: Alternative): number {
    const key = JSON.stringify(a);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(a);
      this.ids.set(key, id);
    }
    return id;
  }
}

/** The alternatives at each step (indexes into `table`), when the model is known and the trace not too long; null if the model throws. */
function alternativesFor(p: ViewerPane, table: AlternativeTable): number[][] | null {
  if (!p.model || p.trace.steps.length > MAX_ALTERNATIVE_STEPS) return null;
  let all: Alternative[][];
  try {
    all = alternativesOf(p.trace, p.model, p.presentation);
  } catch {
    return null;
  }
  return all.map((list) => list.map((a) => table.add(a)));
}

/** The break the trace is about: its property's, or else its first. */
function mainBreak(t: Trace): Trace['breaks'][number] | undefined {
  return t.breaks.find((b) => b.property === t.property) ?? t.breaks[0];
}

/** The package's plain words for what went wrong (its `presentation.headline`), or null when it has none, says nothing or throws. */
function plainHeadline(p: ViewerPane, states: readonly JsonState[]): string | null {
  const hook = p.presentation?.headline;
  const main = mainBreak(p.trace);
  if (!hook || !p.model || !main || main.kind === 'deadlock') return null;
  try {
    const words = hook.call(p.presentation, p.model, { states, steps: p.trace.steps, property: main.property, step: main.step });
    return typeof words === 'string' && words !== '' ? words : null;
  } catch {
    return null;
  }
}

/** The span of steps the package says the failure goes back to (its `presentation.rootCause`), when it names a valid one (1 ≤ from < to ≤ steps). */
function rootCauseOf(p: ViewerPane, states: readonly JsonState[]): PaneData['rootCause'] {
  const hook = p.presentation?.rootCause;
  const main = mainBreak(p.trace);
  if (!hook || !p.model || !main || main.kind === 'deadlock') return null;
  try {
    const span = hook.call(p.presentation, p.model, { states, steps: p.trace.steps, property: main.property, step: main.step });
    if (!span || !Number.isInteger(span.from) || !Number.isInteger(span.to) || span.from < 1 || span.to <= span.from || span.to > p.trace.steps.length)
      return null;
    return { from: span.from, to: span.to, label: String(span.label), text: String(span.text) };
  } catch {
    return null;
  }
}

/** What the run shows of its properties: the property it violates and where, or that every property it was checked for holds at each step. */
function verdictOf(t: Trace): { ok: boolean; text: string } {
  const main = mainBreak(t);
  if (!main) return { ok: true, text: `every safety property holds at each of its ${t.steps.length} steps` };
  const others = new Set(t.breaks.filter((b) => b !== main).map((b) => b.property));
  const what = main.kind === 'deadlock' ? `deadlock at step ${main.step}` : `${main.property} violated at step ${main.step}`;
  return { ok: false, text: `${what}${others.size > 0 ? ` (also breaks: ${[...others].join(', ')})` : ''}` };
}

function paneData(p: ViewerPane, side: 'a' | 'b', nodes: NodeTable, alternatives: AlternativeTable): PaneData {
  const t = p.trace;
  const fields = p.fields ?? (p.model?.layout.fields as FieldSpec | undefined);
  const lanes = p.lanes ?? (p.model ? laneOptionsFor(p.model, p.presentation) : {});
  const seq = sequenceOf(t, lanes);
  const arrays = arrayFields(t, fields);
  const states: JsonState[] = [t.initial, ...t.steps.map((s) => s.state)];
  const { pictures, error } = picturesOf(p, states, nodes);
  return {
    label: paneLabel(p),
    side,
    summary: summaryOf(t),
    trace: t,
    lanes: seq.lanes,
    marks: seq.steps,
    loop: loopOf(t) ?? null,
    arrays,
    changes: states.map((_, i) => (i === 0 ? [] : changeLines(states[i - 1], t.steps[i - 1]))),
    fields: states.map((s) => nodes.add(stateTable(s, arrays))),
    pictures,
    pictureError: error,
    labels: labelsOf(p, states),
    alternatives: alternativesFor(p, alternatives),
    verdict: verdictOf(t),
    plain: plainHeadline(p, states),
    rootCause: rootCauseOf(p, states),
    breaking: mainBreak(t)?.step ?? 0,
    explanation: explanationFor(p),
  };
}

/** Above this many steps a page carries no explanation (it replays the run once per pair of steps it reorders). */
export const MAX_EXPLAIN_STEPS = 200;

/** Text that goes inside parentheses: its own parenthesised asides become comma clauses, so no parentheses nest. */
function aside(text: string): string {
  return text
    .replace(/\s*\(([^()]*)\)/g, ', $1')
    .replace(/[()]/g, '')
    .trim();
}

/** A step by number, with who takes it and what it does: `step 2 (process 0 enters, the lock being free)`. */
function stepLabel(s: StepAccess): string {
  const what = s.narration.trim() === '' ? `${s.who}: ${s.action}` : s.narration.startsWith(s.who) ? s.narration : `${s.who}: ${s.narration}`;
  return `step ${s.step} (${aside(what)})`;
}

/**
 * What later step `b` does with what earlier step `a` read or wrote, on the locations they share, in words:
 * `it reads latest as step 1 left it`, `it changes latest after step 2 read it`.
 */
function sharedUse(a: StepAccess, b: StepAccess, on: readonly string[], named: (location: string) => string): string {
  const groups = new Map<string, string[]>();
  for (const l of on) {
    const reads = b.reads.includes(l) && a.writes.includes(l);
    const overwrites = b.writes.includes(l) && a.writes.includes(l);
    const changes = b.writes.includes(l) && a.reads.includes(l) && !a.writes.includes(l);
    const how =
      reads && overwrites
        ? `reads and overwrites # after step ${a.step} wrote @`
        : reads
          ? `reads # as step ${a.step} left @`
          : overwrites
            ? `overwrites # after step ${a.step} wrote @`
            : changes
              ? `changes # after step ${a.step} read @`
              : null;
    if (how === null) continue;
    const g = groups.get(how);
    if (g) g.push(l);
    else groups.set(how, [l]);
  }
  const parts = [...groups].map(([how, locs]) => how.replace('#', listed(locs.map(named))).replace('@', locs.length === 1 ? 'it' : 'them'));
  return parts.length === 0 ? `it is the same actor's next step` : `it ${parts.join(', and ')}`;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * One ordering the run depends on, as a plain sentence naming both steps by number and actor, what the later one
 * did with what the earlier one read or wrote, and what reversing them changes. No parentheses nest.
 */
export function orderingSentence(x: Explanation, c: CriticalOrdering, named: (location: string) => string = (l) => l): string {
  const a = x.steps[c.before - 1];
  const b = x.steps[c.after - 1];
  const lost = c.stuck !== undefined ? `step ${c.stuck} could not be taken` : `${x.property} would not break`;
  return `Step ${stepLabel(b).slice(5)} comes after ${stepLabel(a)}: ${sharedUse(a, b, c.on, named)}; the other way round, ${lost}.`;
}

/** The causal structure of a violating finite run (see checker/runs/explain.ts); null otherwise, or if the model throws. */
function explanationFor(p: ViewerPane): PaneData['explanation'] {
  const t = p.trace;
  if (!p.model || t.loop !== undefined || t.kind === 'deadlock' || t.breaks.length === 0 || t.steps.length > MAX_EXPLAIN_STEPS) return null;
  try {
    const named = locationNamer(p.presentation, p.model);
    const x = explainRun(p.model, t, { locationName: named });
    return {
      outcome: x.outcome,
      critical: x.critical.map((c) => ({ before: c.before, after: c.after, text: orderingSentence(x, c, named) })),
      movable: x.movable.map((m) => `Step ${stepLabel(x.steps[m.step - 1]).slice(5)} could come anywhere from position ${m.earliest} to ${m.latest}.`),
      edges: x.edges.map((e) => {
        const a = x.steps[e.from - 1];
        const b = x.steps[e.to - 1];
        const use = sharedUse(a, b, e.on, named);
        return {
          from: e.from,
          to: e.to,
          why: a.role === b.role && a.actor === b.actor && e.on.length === 0 ? `the same actor, ${b.who}` : use.replace(/^it /, ''),
        };
      }),
    };
  } catch {
    return null;
  }
}

/**
 * The viewer page for one trace, or for two side by side (the second aligned
 * to the first with {@link alignTraces}). Deterministic: the same traces give
 * the same bytes.
 */
export function viewerHtml(panes: readonly [ViewerPane] | readonly [ViewerPane, ViewerPane], o: ViewerOptions = {}): string {
  const [first, second] = panes;
  for (const p of panes) {
    if (p.trace.steps.length > MAX_VIEW_STEPS) {
      throw new TraceError(
        `trace: ${p.trace.steps.length} steps are more than the viewer can show usefully (at most ${MAX_VIEW_STEPS}); read it with dnsmc export --format markdown instead`,
      );
    }
  }
  const rows: AlignedRow[] = second
    ? alignTraces(first.trace, second.trace)
    : [0, ...first.trace.steps.map((s) => s.step)].map((a) => ({ a, b: null, status: 'same' }));
  const nodes = new NodeTable();
  const alternatives = new AlternativeTable();
  const paneList = panes.map((p, i) => paneData(p, i === 0 ? 'a' : 'b', nodes, alternatives));
  const data: PageData = {
    title: o.title ?? (second ? `${traceTitle(first.trace)}, compared with ${paneLabel(second)}` : traceTitle(first.trace)),
    nodes: nodes.nodes,
    alternatives: alternatives.list,
    panes: paneList,
    rows,
    divergence: second ? firstDivergence(rows) : null,
    allow: { html: HTML_TAGS, svg: SVG_TAGS, attrs: ATTRS },
  };
  const { script, style } = pageAssets();
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${sha256(script)}'`,
    `style-src 'sha256-${sha256(style)}'`,
    "img-src 'none'",
    "connect-src 'none'",
    "font-src 'none'",
    "media-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "manifest-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    '<title>dnsmc trace viewer</title>',
    `<style>${style}</style>`,
    '</head>',
    '<body>',
    '<noscript>This trace viewer needs JavaScript (its own inline script; nothing is loaded from the network).</noscript>',
    '<div id="app"></div>',
    `<script type="application/json" id="dnsmc-data">${scriptSafeJson(data)}</script>`,
    `<script>${script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * Writes the viewer page for one trace to `file`, atomically (a temporary
 * file, then a rename): for a test to leave as a CI artifact when a property
 * fails. `options` are the pane's: the model (its actors name the lanes), the
 * package's presentation (its picture of each state), a label.
 */
export function writeViewer(trace: Trace, file: string, options: Omit<ViewerPane, 'trace'> = {}): void {
  writeFileAtomic(file, viewerHtml([{ ...options, trace }]));
}
