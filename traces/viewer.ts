/**
 * The trace viewer: one self-contained HTML file (inline CSS and script, no
 * network, no CDN) that walks through a trace step by step, or through two
 * traces side by side, aligned by step, with the first divergence marked.
 *
 * It shows a timeline (a sequence diagram: one lane per actor, then any
 * resource lanes; each step a mark on its actor's lane labelled with the
 * action), the selected step's narration, what it changed (from its patches),
 * the properties it breaks, and the state: a fields/values table for any
 * model, and for the `dns` model a picture of each endpoint's Route 53
 * records (top alias, plan trees present or deleted, TXT lock) and of the
 * enactors. Navigation: arrow keys, Home, End, a slider; `#step=N` in the URL
 * keeps the selected step and is read on load.
 *
 * A trace is untrusted input. Its JSON is embedded in a
 * `<script type="application/json">` block with `<`, `>`, `&`, U+2028 and
 * U+2029 escaped as `\u003c` etc., so it can never close that element; the
 * page script reads it with JSON.parse and puts every string on the page
 * with textContent or createTextNode, never as HTML. A Content-Security-Policy
 * forbids every network request and every script but the page's own (by its
 * SHA-256 hash).
 */
import { createHash } from 'node:crypto';
import type { FieldSpec } from '../checker/layout.js';
import type { Trace } from './trace.js';
import { sequenceOf, type LaneOptions, type SequenceLane, type SequenceStep } from './lanes.js';
import { loopOf, traceTitle } from './text.js';

/** How a row of a side-by-side view compares: both sides took the step with equal (or different) results, or only one side has it. */
export type RowStatus = 'same' | 'differs' | 'only-a' | 'only-b';

/** One row of two traces aligned by step: the step index on each side (0 is the initial state), or null where a side has no such step. */
export interface AlignedRow {
  readonly a: number | null;
  readonly b: number | null;
  readonly status: RowStatus;
}

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

/** One trace to show, with how to label it and lay out its lanes. */
export interface ViewerPane {
  readonly trace: Trace;
  /** Shown above the pane, e.g. the file name and variant. Default: the trace's model and variant. */
  readonly label?: string;
  readonly lanes?: LaneOptions;
  /**
   * The model's field spec (its layout's `fields`): says which fields are
   * arrays shown element by element, and which JSON arrays are sets. Without
   * it, a field counts as an array when some patch addresses one element.
   */
  readonly fields?: FieldSpec;
}

/** Fields that hold one value per index, from the field spec, or else from the patches that address one element. */
function arrayFields(p: ViewerPane): string[] {
  if (p.fields) return Object.entries(p.fields).filter(([, f]) => f.kind === 'array').map(([name]) => name);
  const out = new Set<string>();
  for (const s of p.trace.steps) for (const q of s.patches) if (Array.isArray(q.path) && q.path.length > 1) out.add(String(q.path[0]));
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

/** The data the page script reads. */
interface PageData {
  title: string;
  panes: {
    label: string;
    side: 'a' | 'b';
    trace: Trace;
    lanes: readonly SequenceLane[];
    marks: readonly SequenceStep[];
    loop: number | null;
    /** Fields that hold one value per index (shown element by element); other JSON arrays are one value, a set. */
    arrays: readonly string[];
  }[];
  rows: AlignedRow[];
  divergence: number | null;
}

function paneLabel(p: ViewerPane): string {
  return p.label ?? `${p.trace.model}${p.trace.variant ? ` (${p.trace.variant})` : ''}`;
}

/**
 * The viewer page for one trace, or for two side by side (the second aligned
 * to the first with {@link alignTraces}). Deterministic: the same traces give
 * the same bytes.
 */
export function viewerHtml(panes: readonly [ViewerPane] | readonly [ViewerPane, ViewerPane], o: ViewerOptions = {}): string {
  const [first, second] = panes;
  const rows: AlignedRow[] = second
    ? alignTraces(first.trace, second.trace)
    : [0, ...first.trace.steps.map((s) => s.step)].map((a) => ({ a, b: null, status: 'same' }));
  const data: PageData = {
    title: o.title ?? (second ? `${traceTitle(first.trace)}, compared with ${paneLabel(second)}` : traceTitle(first.trace)),
    panes: panes.map((p, i) => {
      const seq = sequenceOf(p.trace, p.lanes);
      return { label: paneLabel(p), side: i === 0 ? 'a' : 'b', trace: p.trace, lanes: seq.lanes, marks: seq.steps, loop: loopOf(p.trace) ?? null, arrays: arrayFields(p) };
    }),
    rows,
    divergence: second ? firstDivergence(rows as AlignedRow[]) : null,
  };
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${sha256(PAGE_SCRIPT)}'`,
    `style-src 'sha256-${sha256(PAGE_STYLE)}'`,
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
    `<style>${PAGE_STYLE}</style>`,
    '</head>',
    '<body>',
    '<noscript>This trace viewer needs JavaScript (its own inline script; nothing is loaded from the network).</noscript>',
    '<div id="app"></div>',
    `<script type="application/json" id="dnsmc-data">${scriptSafeJson(data)}</script>`,
    `<script>${PAGE_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const PAGE_STYLE = `
:root { --ink: #1b1f24; --muted: #5f6b76; --line: #d0d7de; --bg: #ffffff; --soft: #f6f8fa; --sel: #fff3c4;
  --changed: #ffe58a; --bad: #c62828; --badbg: #fdecea; --warn: #b26a00; --warnbg: #fff4e5; --ok: #1b7f3b; --okbg: #e8f5e9;
  --actor: #0b5cad; --res: #6a3fb5; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: var(--bg); }
header { padding: 12px 20px 8px; border-bottom: 1px solid var(--line); background: var(--soft); }
h1 { font-size: 18px; margin: 0 0 2px; }
.sub { color: var(--muted); font-size: 13px; }
.controls { display: flex; align-items: center; gap: 8px; padding: 8px 20px; border-bottom: 1px solid var(--line); position: sticky; top: 0; background: var(--bg); z-index: 2; }
.controls button { font: inherit; padding: 2px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--soft); cursor: pointer; }
.controls input[type=range] { flex: 1; max-width: 520px; }
.controls .pos { font-weight: 600; min-width: 120px; }
.controls .hint { color: var(--muted); font-size: 12px; }
.banner { margin: 10px 20px 0; padding: 8px 12px; border-radius: 6px; border: 1px solid var(--bad); background: var(--badbg); }
.banner.same { border-color: var(--ok); background: var(--okbg); }
.banner button { font: inherit; margin-left: 8px; }
.panes { display: grid; gap: 16px; padding: 12px 20px 20px; }
.panes.one { grid-template-columns: minmax(0, 1fr); }
.panes.one .pane { display: grid; grid-template-columns: minmax(0, max-content) minmax(380px, 1fr); gap: 16px; align-items: start; }
.panes.two { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
.pane { min-width: 0; }
.pane h2 { font-size: 15px; margin: 0 0 6px; }
.timeline { overflow: auto; max-height: 78vh; border: 1px solid var(--line); border-radius: 6px; }
.panes.two .timeline { max-height: 46vh; }
.panes.two .timeline svg { width: 100%; height: auto; }
.timeline svg { display: block; }
.timeline text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; fill: var(--ink); }
.timeline .lanehead { font-weight: 600; }
.timeline .lanehead.resource { fill: var(--res); }
.timeline .laneline { stroke: var(--line); stroke-width: 1; }
.timeline .laneline.resource { stroke: #c9b8ea; stroke-dasharray: 4 3; }
.timeline .rowbg { fill: transparent; cursor: pointer; }
.timeline .row:hover .rowbg { fill: var(--soft); }
.timeline .row.selected .rowbg { fill: var(--sel); }
.timeline .row.diverges .rowbg { stroke: var(--bad); stroke-width: 2; }
.timeline .mark { fill: var(--actor); }
.timeline .mark.ghost { fill: none; stroke: var(--muted); stroke-dasharray: 2 2; }
.timeline .ghost-label { fill: var(--muted); font-style: italic; }
.timeline .arrow { stroke: var(--res); stroke-width: 1.5; }
.timeline .arrowhead { fill: var(--res); }
.timeline .steplabel { fill: var(--muted); }
.timeline .brk { fill: var(--bad); font-weight: 600; }
.timeline .brk.other { fill: var(--warn); }
.timeline .status-differs, .timeline .status-only { fill: var(--bad); font-weight: 700; }
.timeline .status-same { fill: var(--ok); }
.timeline .loop { stroke: var(--actor); stroke-width: 2; fill: none; }
.timeline .looplabel { fill: var(--actor); font-weight: 600; }
.state { min-width: 0; }
.panes.two .state { margin-top: 12px; }
.step-title { font-weight: 600; font-size: 15px; }
.narration { margin: 4px 0 8px; font-size: 15px; }
.gap { color: var(--muted); font-style: italic; margin: 4px 0 8px; }
.changes { margin: 0 0 10px; padding-left: 18px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
.changes li { background: var(--changed); display: table; padding: 0 4px; margin: 1px 0; border-radius: 3px; }
.brkbox { border: 1px solid var(--bad); background: var(--badbg); border-radius: 6px; padding: 6px 10px; margin: 6px 0; }
.brkbox.other { border-color: var(--warn); background: var(--warnbg); }
.brkbox.earlier { border-color: var(--line); background: var(--soft); color: var(--muted); }
.brkbox.earlier.main { border-left: 4px solid var(--bad); }
.brkbox .prop { font-weight: 700; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin: 8px 0; }
.card h3 { font-size: 13px; margin: 0 0 6px; color: var(--res); }
.kv { display: flex; align-items: center; gap: 8px; margin: 4px 0; flex-wrap: wrap; }
.kv .k { color: var(--muted); min-width: 110px; }
.chip { display: inline-block; border: 1px solid var(--line); border-radius: 4px; padding: 1px 6px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; background: var(--bg); }
.tree.present { border-color: var(--ok); background: var(--okbg); }
.tree.deleted { border-color: var(--bad); background: var(--badbg); color: var(--bad); text-decoration: line-through; text-decoration-thickness: 1px; }
.tree.deleted .why { text-decoration: none; display: inline-block; margin-left: 4px; }
.tree.target { border-width: 2px; font-weight: 700; }
.resolves { font-weight: 600; }
.resolves.ok { color: var(--ok); }
.resolves.bad { color: var(--bad); }
.chip.changed, span.changed { box-shadow: 0 0 0 3px #f2c200; }
td.changed { background: var(--changed); }
.differs { outline: 2px dashed var(--bad); outline-offset: 1px; }
table.grid { border-collapse: collapse; margin: 4px 0; font-size: 13px; }
table.grid th, table.grid td { border: 1px solid var(--line); padding: 2px 8px; text-align: left; }
table.grid th { background: var(--soft); font-weight: 600; white-space: nowrap; }
table.grid td.num { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.idx { color: var(--muted); font-size: 11px; margin-right: 2px; }
details { margin: 8px 0; }
summary { cursor: pointer; color: var(--muted); }
footer { color: var(--muted); font-size: 12px; padding: 0 20px 16px; }
`;

// The page script. Plain ES2017 in a string (this project compiles without
// DOM types). It never uses innerHTML, never builds markup from strings, and
// sets only fixed attribute names: every value from the trace goes through
// textContent, createTextNode or setAttribute on a data-/presentation attribute.
const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('dnsmc-data').textContent);
  var SVGNS = 'http://www.w3.org/2000/svg';
  var rows = DATA.rows;
  var panes = DATA.panes;
  var two = panes.length > 1;
  var lastRow = rows.length - 1;
  var current = -1;
  // Timeline geometry (px): lane width, step-label column, lane headers, row height, right column.
  var LANE_W = 112, LEFT = 70, TOP = 46, ROW_H = 28, RIGHT = 190;

  function h(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent, child) { parent.appendChild(child); return child; }
  function txt(parent, text) { parent.appendChild(document.createTextNode(String(text))); return parent; }
  function sv(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function showValue(v) {
    if (v === null || v === undefined) return 'none';
    if (Array.isArray(v)) return '{' + v.map(showValue).join(', ') + '}';
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }
  function pathName(path) {
    return path.map(function (k, i) { return i === 0 ? String(k) : '[' + String(k) + ']'; }).join('');
  }
  function valueAt(s, path) {
    var v = s;
    for (var i = 0; i < path.length; i++) {
      if (v === null || typeof v !== 'object') return null;
      v = Object.prototype.hasOwnProperty.call(v, path[i]) ? v[path[i]] : null;
    }
    return v === undefined ? null : v;
  }
  function stateOf(trace, i) { return i === 0 ? trace.initial : trace.steps[i - 1].state; }
  function keyOf(field, index) { return index === undefined ? JSON.stringify([field]) : JSON.stringify([field, index]); }
  function isNum(v) { return typeof v === 'number' && isFinite(v); }

  // The pane's own step at row r, or null where it has none.
  function ownStep(pane, r) { var i = rows[r][pane.side]; return i === null || i === undefined ? null : i; }
  // The pane's state at row r: after its own step there, or after the last step it took before.
  function shownStep(pane, r) {
    for (var q = r; q >= 0; q--) { var i = ownStep(pane, q); if (i !== null) return i; }
    return 0;
  }
  function changedKeys(trace, i) {
    var out = new Set();
    if (i <= 0) return out;
    var ps = trace.steps[i - 1].patches;
    if (!Array.isArray(ps)) return out;
    ps.forEach(function (p) {
      if (!p || !Array.isArray(p.path) || p.path.length === 0) return;
      out.add(p.path.length === 1 ? keyOf(p.path[0]) : keyOf(p.path[0], p.path[1]));
    });
    return out;
  }
  function diffKeys(a, b) {
    var out = new Set();
    var fields = Object.keys(a).concat(Object.keys(b).filter(function (k) { return !(k in a); }));
    fields.forEach(function (f) {
      var x = a[f], y = b[f];
      if (Array.isArray(x) && Array.isArray(y) && x.length === y.length) {
        for (var i = 0; i < x.length; i++) if (JSON.stringify(x[i]) !== JSON.stringify(y[i])) out.add(keyOf(f, i));
      } else if (JSON.stringify(x) !== JSON.stringify(y)) out.add(keyOf(f));
    });
    return out;
  }
  function marker(ctx, el, field, index) {
    var whole = keyOf(field);
    var one = index === undefined ? whole : keyOf(field, index);
    if (ctx.changed.has(one) || ctx.changed.has(whole)) el.classList.add('changed');
    if (ctx.differs && (ctx.differs.has(one) || ctx.differs.has(whole))) el.classList.add('differs');
    return el;
  }
  function actorLabel(pane, step) {
    var id = 'actor:' + step.role + ':' + step.actor;
    for (var i = 0; i < pane.lanes.length; i++) if (pane.lanes[i].id === id) return pane.lanes[i].label;
    return step.role + ' ' + step.actor;
  }

  // ---- page skeleton
  var app = document.getElementById('app');
  document.title = DATA.title + ' - dnsmc';
  var header = add(app, h('header'));
  add(header, h('h1', '', DATA.title));
  panes.forEach(function (p) {
    var t = p.trace;
    var params = Object.keys(t.params || {}).filter(function (k) { return k !== 'variant'; }).map(function (k) { return k + ' ' + showValue(t.params[k]); });
    add(header, h('div', 'sub', (two ? p.label + ': ' : '') + 'model ' + t.model + (t.variant ? ', variant ' + t.variant : '') + (params.length ? '; ' + params.join(', ') : '') + '; ' + t.steps.length + ' steps'));
  });

  var controls = add(app, h('div', 'controls'));
  function button(label, title, f) { var b = add(controls, h('button', '', label)); b.type = 'button'; b.title = title; b.setAttribute('aria-label', title); b.addEventListener('click', f); return b; }
  button('|\u25C0', 'first step (Home)', function () { select(0); });
  button('\u25C0', 'previous step (left arrow)', function () { select(current - 1); });
  var slider = add(controls, h('input'));
  slider.type = 'range'; slider.min = '0'; slider.max = String(lastRow); slider.step = '1'; slider.value = '0';
  slider.setAttribute('aria-label', 'step');
  slider.setAttribute('data-test', 'slider');
  slider.addEventListener('input', function () { select(Number(slider.value)); });
  button('\u25B6', 'next step (right arrow)', function () { select(current + 1); });
  button('\u25B6|', 'last step (End)', function () { select(lastRow); });
  var pos = add(controls, h('span', 'pos'));
  pos.setAttribute('data-test', 'position');
  add(controls, h('span', 'hint', 'keys: \u2190 \u2192 Home End \u00B7 yellow: changed by this step' + (two ? ' \u00B7 dashed red: differs from the other run' : '')));

  if (two) {
    var banner = add(app, h('div', 'banner'));
    banner.setAttribute('data-test', 'divergence');
    if (DATA.divergence === null) {
      banner.classList.add('same');
      banner.textContent = 'The two runs agree at every step.';
    } else {
      var r = DATA.divergence;
      var b = add(banner, h('div'));
      add(b, h('strong', '', 'The runs diverge at step ' + r + '.'));
      var go = add(b, h('button', '', 'show step ' + r));
      go.type = 'button';
      go.addEventListener('click', function () { select(r); });
      panes.forEach(function (p) {
        var i = ownStep(p, r);
        var line = add(banner, h('div'));
        add(line, h('strong', '', p.label + ': '));
        if (i === null) {
          var other = panes[p.side === 'a' ? 1 : 0];
          var j = ownStep(other, r);
          var s = other.trace.steps[j - 1];
          txt(line, actorLabel(other, s) + "'s " + s.action + ' is not taken in this run');
        } else if (i === 0) txt(line, 'the initial states differ');
        else txt(line, p.trace.steps[i - 1].narration);
      });
    }
  }

  var grid = add(app, h('div', 'panes ' + (two ? 'two' : 'one')));
  var views = panes.map(function (p) { return buildPane(grid, p); });
  add(app, h('footer', '', 'Written by dnsmc. This page loads nothing from the network; every text in it comes from the trace file and is shown as text.'));

  // ---- timeline
  function laneLines(label) {
    var words = String(label).split(' '), lines = [], cur = '';
    words.forEach(function (w) {
      if (cur && (cur + ' ' + w).length > 16) { lines.push(cur); cur = w; } else cur = cur ? cur + ' ' + w : w;
    });
    if (cur) lines.push(cur);
    return lines.slice(0, 3);
  }
  function buildPane(parent, pane) {
    var root = add(parent, h('section', 'pane'));
    root.setAttribute('data-test', 'pane-' + pane.side);
    if (two) add(root, h('h2', '', pane.label));
    var wrap = add(root, h('div', 'timeline'));
    var laneX = {};
    pane.lanes.forEach(function (l, i) { laneX[l.id] = LEFT + LANE_W * i + LANE_W / 2; });
    var width = LEFT + LANE_W * pane.lanes.length + RIGHT;
    var height = TOP + ROW_H * rows.length + 8;
    var svg = add(wrap, sv('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img' }));
    add(svg, sv('title', {}, 'timeline: one lane per actor; each step a mark on its actor\u2019s lane'));
    var defs = add(svg, sv('defs', {}));
    var mk = add(defs, sv('marker', { id: 'ah-' + pane.side, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }));
    add(mk, sv('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }));
    pane.lanes.forEach(function (l) {
      var x = laneX[l.id];
      laneLines(l.label).forEach(function (line, k) {
        add(svg, sv('text', { x: x, y: 14 + 12 * k, 'text-anchor': 'middle', class: 'lanehead ' + l.kind }, line));
      });
      add(svg, sv('line', { x1: x, y1: TOP - 4, x2: x, y2: height - 4, class: 'laneline ' + l.kind }));
    });
    add(svg, sv('text', { x: LEFT + LANE_W * pane.lanes.length + 8, y: 14, class: 'lanehead' }, two ? 'compared' : 'properties'));
    var byStep = {};
    pane.marks.forEach(function (m) { byStep[m.step] = m; });
    var other = two ? panes[pane.side === 'a' ? 1 : 0] : null;
    var rowEls = rows.map(function (row, r) {
      var y = TOP + ROW_H * r + ROW_H / 2;
      var g = add(svg, sv('g', { class: 'row', 'data-row': r }));
      add(g, sv('rect', { x: 0, y: y - ROW_H / 2, width: width, height: ROW_H, class: 'rowbg' }));
      var i = ownStep(pane, r);
      add(g, sv('text', { x: 8, y: y + 4, class: 'steplabel' }, r === 0 ? 'initial' : 'step ' + r));
      if (i !== null && i > 0) {
        var s = pane.trace.steps[i - 1];
        var m = byStep[s.step];
        var x = m && laneX[m.lane] !== undefined ? laneX[m.lane] : LEFT + 10;
        var targets = m ? m.targets.filter(function (t) { return laneX[t] !== undefined; }) : [];
        targets.forEach(function (t) {
          var tx = laneX[t];
          add(g, sv('line', { x1: x, y1: y, x2: tx + (tx > x ? -6 : 6), y2: y, class: 'arrow', 'marker-end': 'url(#ah-' + pane.side + ')' }));
        });
        add(g, sv('circle', { cx: x, cy: y, r: 5, class: 'mark' }));
        add(g, sv('text', { x: x + 8, y: targets.length ? y - 4 : y + 4, class: 'action' }, s.action));
      } else if (i === null && other) {
        var oi = ownStep(other, r);
        var os = oi ? other.trace.steps[oi - 1] : null;
        if (os) {
          var gx = laneX['actor:' + os.role + ':' + os.actor];
          if (gx === undefined) gx = LEFT + 10;
          add(g, sv('circle', { cx: gx, cy: y, r: 5, class: 'mark ghost' }));
          add(g, sv('text', { x: gx + 8, y: y + 4, class: 'ghost-label' }, os.action + ' (not taken)'));
        }
      }
      var bx = LEFT + LANE_W * pane.lanes.length + 8;
      if (two) {
        var st = row.status;
        var mine = st === 'only-' + pane.side;
        var glyph = st === 'same' ? '= same' : st === 'differs' ? '\u2260 differs' : mine ? '\u2260 only in this run' : '\u2260 not taken here';
        add(g, sv('text', { x: bx, y: y + 4, class: st === 'same' ? 'status-same' : st === 'differs' ? 'status-differs' : 'status-only' }, (DATA.divergence === r ? '\u25B6 ' : '') + glyph));
        if (DATA.divergence === r) g.classList.add('diverges');
      } else if (i !== null) {
        var texts = pane.trace.breaks.filter(function (bk) { return bk.step === i; }).map(function (bk) {
          var main = bk.property === pane.trace.property;
          return { text: (main ? '\u2716 ' : '! ') + bk.property + (main ? (bk.kind === 'deadlock' ? '' : ' violated') : ' breaks'), main: main };
        });
        texts.forEach(function (t, k) {
          add(g, sv('text', { x: bx, y: y + 4 + (k - (texts.length - 1) / 2) * 11, class: 'brk' + (t.main ? '' : ' other') }, t.text));
        });
      }
      g.addEventListener('click', function () { select(r); });
      return g;
    });
    if (pane.loop !== null) {
      var loopRow = -1, endRow = -1;
      rows.forEach(function (row, r) { var i = ownStep(pane, r); if (i === pane.loop) loopRow = r; if (i !== null) endRow = r; });
      if (loopRow >= 0) {
        var lx = LEFT + LANE_W * pane.lanes.length - 6;
        var y1 = TOP + ROW_H * loopRow + ROW_H / 2, y2 = TOP + ROW_H * endRow + ROW_H / 2;
        add(svg, sv('path', { d: 'M ' + (lx - 8) + ' ' + y2 + ' H ' + lx + ' V ' + y1 + ' H ' + (lx - 8), class: 'loop', 'data-test': 'loop' }));
        add(svg, sv('text', { x: lx - 4, y: y1 - 6, 'text-anchor': 'end', class: 'looplabel' }, '\u21BB loop'));
      }
    }
    var state = add(root, h('div', 'state'));
    state.setAttribute('data-test', 'state-' + pane.side);
    return { pane: pane, wrap: wrap, svg: svg, width: width, rowEls: rowEls, state: state };
  }

  // ---- the selected step
  function renderState(view, r) {
    var pane = view.pane, t = pane.trace;
    var el = view.state;
    el.textContent = '';
    var own = ownStep(pane, r);
    var i = shownStep(pane, r);
    var s = stateOf(t, i);
    var ctx = { changed: own === null ? new Set() : changedKeys(t, i), differs: null };
    if (two) {
      var other = panes[pane.side === 'a' ? 1 : 0];
      ctx.differs = diffKeys(s, stateOf(other.trace, shownStep(other, r)));
    }
    if (own === null) {
      var op = panes[pane.side === 'a' ? 1 : 0];
      var oi = ownStep(op, r);
      var os = oi ? op.trace.steps[oi - 1] : null;
      add(el, h('div', 'step-title', 'Step ' + r + ': not taken in this run'));
      var gap = add(el, h('p', 'gap', os ? actorLabel(op, os) + "'s " + os.action + ' could not be taken here; the state is as after step ' + i + ' of this run.' : 'No step here.'));
      gap.setAttribute('data-test', 'gap');
    } else if (own === 0) {
      add(el, h('div', 'step-title', two ? 'Initial state' : 'Step 0 of ' + t.steps.length + ': the initial state'));
    } else {
      var st = t.steps[own - 1];
      add(el, h('div', 'step-title', 'Step ' + (two ? r : st.step + ' of ' + t.steps.length) + ': ' + actorLabel(pane, st) + ' \u00B7 ' + st.action));
      var n = add(el, h('p', 'narration', st.narration));
      n.setAttribute('data-test', 'narration');
      var before = stateOf(t, own - 1);
      var ul = add(el, h('ul', 'changes'));
      ul.setAttribute('data-test', 'changes');
      (Array.isArray(st.patches) ? st.patches : []).forEach(function (p) {
        if (!p || !Array.isArray(p.path)) return;
        add(ul, h('li', '', pathName(p.path) + ': ' + showValue(valueAt(before, p.path)) + ' \u2192 ' + showValue(p.value)));
      });
    }
    if (pane.loop !== null && own !== null && own >= pane.loop) {
      var n = t.steps.length;
      var lp = add(el, h('div', 'brkbox other', pane.loop === n
        ? '\u21BB The run stays in this state forever (the loop of this lasso).'
        : (own === pane.loop ? '\u21BB The loop starts here: after step ' + n + ' the run is back in this state'
          : '\u21BB This step is in the loop: after step ' + n + ' the run is back in the state of step ' + pane.loop)
          + ', and steps ' + (pane.loop + 1) + ' to ' + n + ' repeat forever.'));
      lp.setAttribute('data-test', 'loop-note');
    }
    t.breaks.forEach(function (bk) {
      if (own === null || bk.step > own) return;
      var main = bk.property === t.property;
      var now = bk.step === own;
      var box = add(el, h('div', 'brkbox' + (now ? (main ? '' : ' other') : ' earlier' + (main ? ' main' : ''))));
      box.setAttribute('data-test', 'break');
      box.setAttribute('data-property', bk.property);
      box.setAttribute('data-status', now ? 'violated-here' : 'violated-earlier');
      add(box, h('span', 'prop', bk.property));
      var verb = bk.kind === 'deadlock' ? ' (deadlock)' : now ? (main ? ' VIOLATED at this step: ' : ' also breaks at this step: ') : ' broke at step ' + bk.step + ': ';
      txt(box, verb + (bk.kind === 'deadlock' ? ': ' : '') + bk.explanation);
    });
    if (t.model === 'dns') {
      try { renderDns(el, t, i, ctx); } catch (e) { /* not the dns layout after all: the table below shows the state */ }
    }
    var det = add(el, h('details'));
    if (t.model !== 'dns') det.open = true;
    add(det, h('summary', '', 'all state fields'));
    renderFields(det, s, ctx, pane);
  }

  function renderFields(parent, s, ctx, pane) {
    var table = add(parent, h('table', 'grid'));
    table.setAttribute('data-test', 'fields');
    var head = add(table, h('tr'));
    add(head, h('th', '', 'field'));
    add(head, h('th', '', 'value'));
    Object.keys(s).forEach(function (f) {
      var tr = add(table, h('tr'));
      add(tr, h('th', '', f));
      var td = add(tr, h('td', 'num'));
      var v = s[f];
      if (Array.isArray(v) && pane.arrays.indexOf(f) >= 0) {
        v.forEach(function (x, k) {
          var c = add(td, h('span', 'chip'));
          add(c, h('span', 'idx', '[' + k + ']'));
          txt(c, showValue(x));
          c.setAttribute('data-field', f);
          c.setAttribute('data-index', String(k));
          marker(ctx, c, f, k);
          txt(td, ' ');
        });
      } else {
        var c1 = add(td, h('span', 'chip', showValue(v)));
        c1.setAttribute('data-field', f);
        marker(ctx, c1, f);
      }
    });
  }

  // ---- the dns picture: each endpoint's Route 53 records, the planner, the enactors
  function renderDns(parent, t, i, ctx) {
    var s = stateOf(t, i);
    var arrays = ['alias', 'trees', 'lockHolder', 'phase', 'plan', 'endpoint', 'failures'];
    if (!isNum(s.latest) || arrays.some(function (f) { return !Array.isArray(s[f]); })) return;
    var E = s.alias.length, N = s.phase.length;
    var box = h('div', 'dns');
    var planner = add(box, h('div', 'card'));
    add(planner, h('h3', '', 'the planner'));
    var lp = add(planner, h('div', 'kv'));
    add(lp, h('span', 'k', 'latest plan'));
    var lv = add(lp, h('span', 'chip', String(s.latest)));
    lv.setAttribute('data-test', 'latest');
    marker(ctx, lv, 'latest');
    for (var k = 0; k < E; k++) {
      var card = add(box, h('div', 'card'));
      card.setAttribute('data-test', 'endpoint-' + k);
      add(card, h('h3', '', 'endpoint ' + k + ': Route 53 records'));
      var trees = s.trees[k];
      var alias = s.alias[k];
      // Every tree that existed at some step up to this one; those gone now were deleted.
      var seen = {}, deletedAt = {};
      for (var j = 0; j <= i; j++) {
        var tj = stateOf(t, j).trees[k];
        Object.keys(seen).forEach(function (g) { if (seen[g] && tj.indexOf(Number(g)) < 0 && deletedAt[g] === undefined) deletedAt[g] = j; });
        tj.forEach(function (g) { seen[g] = true; if (deletedAt[g] !== undefined) delete deletedAt[g]; });
      }
      var ar = add(card, h('div', 'kv'));
      add(ar, h('span', 'k', 'top alias'));
      var at = add(ar, h('span', 'chip alias', alias === 0 ? 'unset' : '\u2192 plan ' + alias));
      at.setAttribute('data-test', 'alias-' + k);
      at.setAttribute('data-plan', String(alias));
      marker(ctx, at, 'alias', k);
      if (alias !== 0) {
        var ok = trees.indexOf(alias) >= 0;
        var rs = add(ar, h('span', 'resolves ' + (ok ? 'ok' : 'bad'), ok ? 'resolves (tree of plan ' + alias + ' exists)' : 'resolves to NOTHING: the tree of plan ' + alias + (seen[alias] ? ' was deleted' : ' does not exist')));
        rs.setAttribute('data-test', 'resolves-' + k);
      }
      var tr = add(card, h('div', 'kv'));
      add(tr, h('span', 'k', 'plan trees'));
      var tl = add(tr, h('span', ''));
      marker({ changed: new Set(), differs: ctx.differs }, tl, 'trees', k);
      // The trees this step built or deleted.
      var prevTrees = ctx.changed.size > 0 && i > 0 ? stateOf(t, i - 1).trees[k] : trees;
      var all = Object.keys(seen).map(Number).sort(function (a, b) { return a - b; });
      if (alias !== 0 && all.indexOf(alias) < 0) all.push(alias);
      if (all.length === 0) add(tl, h('span', 'chip', 'none yet'));
      all.forEach(function (g) {
        var present = trees.indexOf(g) >= 0;
        var chip = add(tl, h('span', 'chip tree ' + (present ? 'present' : 'deleted') + (g === alias ? ' target' : '')));
        chip.setAttribute('data-test', 'tree-' + k + '-' + g);
        chip.setAttribute('data-status', present ? 'present' : seen[g] ? 'deleted' : 'missing');
        if ((prevTrees.indexOf(g) >= 0) !== present) chip.classList.add('changed');
        txt(chip, 'plan-' + g);
        if (!present) add(chip, h('span', 'why', seen[g] ? '(deleted' + (deletedAt[g] !== undefined ? ' at step ' + deletedAt[g] : '') + ')' : '(never built)'));
        txt(tl, ' ');
      });
      var lk = add(card, h('div', 'kv'));
      add(lk, h('span', 'k', 'TXT lock record'));
      var holder = s.lockHolder[k];
      var lc = add(lk, h('span', 'chip', holder === null ? 'free' : 'held by enactor ' + holder));
      lc.setAttribute('data-test', 'lock-' + k);
      marker(ctx, lc, 'lockHolder', k);
    }
    var ec = add(box, h('div', 'card'));
    add(ec, h('h3', '', 'enactors'));
    var table = add(ec, h('table', 'grid'));
    var head = add(table, h('tr'));
    var cols = E > 1 ? ['phase', 'plan', 'endpoint', 'failures'] : ['phase', 'plan', 'failures'];
    add(head, h('th', '', 'enactor'));
    cols.forEach(function (c) { add(head, h('th', '', c === 'failures' ? 'failed lock attempts' : c)); });
    for (var e = 0; e < N; e++) {
      var row = add(table, h('tr'));
      row.setAttribute('data-test', 'enactor-' + e);
      add(row, h('th', '', 'enactor ' + e));
      cols.forEach(function (c) {
        var cell = add(row, h('td', 'num', showValue(s[c][e])));
        cell.setAttribute('data-field', c);
        marker(ctx, cell, c, e);
      });
    }
    parent.appendChild(box);
  }

  // ---- navigation
  function select(r, fromHash) {
    if (!isNum(r)) return;
    r = Math.max(0, Math.min(lastRow, Math.round(r)));
    current = r;
    slider.value = String(r);
    pos.textContent = r === 0 ? 'initial state' : 'step ' + r + ' of ' + lastRow;
    views.forEach(function (v) {
      v.rowEls.forEach(function (g, q) { if (q === r) g.classList.add('selected'); else g.classList.remove('selected'); });
      // Keep the selected row in view (the drawing may be scaled to fit its column).
      var scale = v.svg.getBoundingClientRect().width / v.width || 1;
      var y = (TOP + ROW_H * r) * scale;
      if (y < v.wrap.scrollTop + TOP * scale || y + ROW_H * scale > v.wrap.scrollTop + v.wrap.clientHeight) v.wrap.scrollTop = Math.max(0, y - v.wrap.clientHeight / 2);
      renderState(v, r);
    });
    if (!fromHash) {
      var hash = '#step=' + r;
      if (location.hash !== hash) {
        try { history.replaceState(null, '', hash); } catch (e) { location.hash = hash; }
      }
    }
  }
  function fromHash() {
    var m = /^#step=(\d+)$/.exec(location.hash);
    return m ? Number(m[1]) : null;
  }
  document.addEventListener('keydown', function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var to = null;
    if (ev.key === 'ArrowRight' || ev.key === 'ArrowDown') to = current + 1;
    else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowUp') to = current - 1;
    else if (ev.key === 'Home') to = 0;
    else if (ev.key === 'End') to = lastRow;
    if (to === null) return;
    ev.preventDefault();
    select(to);
  });
  window.addEventListener('hashchange', function () { var r = fromHash(); if (r !== null && r !== current) select(r, true); });
  var start = fromHash();
  select(start === null ? 0 : start, start !== null && start <= lastRow);
})();
`;
