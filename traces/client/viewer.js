/*
 * The trace viewer's page script, inlined into every page that
 * traces/viewer.ts writes (allowed there by its SHA-256 hash; the page's
 * policy allows no other script and no network). Type-checked against the
 * DOM with ./tsconfig.json; the page data's shape is ./data.ts.
 *
 * A trace is untrusted input. This script builds the page with
 * createElement, createElementNS, textContent and setAttribute on fixed
 * attribute names only, and never parses markup. Every value it shows was
 * formatted when the page was written; it formats none itself. A model's
 * picture of a state (a tree of PictureNode) is built under an allow-list of
 * tags and attributes: anything else is dropped, so a picture can only ever
 * be shown, never run.
 */
(() => {
  /** @typedef {import('./data.js').PageData} PageData */
  /** @typedef {import('./data.js').PaneData} PaneData */
  /** @typedef {import('./data.js').PageTrace} PageTrace */
  /** @typedef {import('./data.js').PageNode} PageNode */
  /** @typedef {PageTrace['steps'][number]} PageStep */
  /**
   * What the selected step changed, and (side by side) where the shown
   * states differ: keys made by keyOf.
   * @typedef {{ changed: Set<string>, differs: Set<string> | null }} Marks
   */
  /**
   * A pane's timeline and state area.
   * @typedef {{ pane: PaneData, wrap: HTMLElement, svg: SVGSVGElement, width: number, rowEls: SVGGElement[], state: HTMLElement }} View
   */

  const dataEl = document.getElementById('dnsmc-data');
  /** @type {PageData} */
  const DATA = JSON.parse(dataEl ? dataEl.textContent || 'null' : 'null');
  const SVGNS = 'http://www.w3.org/2000/svg';
  const rows = DATA.rows;
  const nodes = DATA.nodes;
  const panes = DATA.panes;
  const two = panes.length > 1;
  const lastRow = rows.length - 1;
  let current = -1;
  // Timeline geometry (px): lane width, step-label column, the root cause's column (when the package names one), lane
  // headers, row height, right column.
  const LANE_W = 112;
  const STEP_W = 70;
  const CAUSE_W = 30;
  const TOP = 46;
  const ROW_H = 28;
  const RIGHT = 190;

  // ---- building blocks

  /**
   * An HTML element with a class and text.
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag
   * @param {string} [cls]
   * @param {string} [text]
   * @returns {HTMLElementTagNameMap[K]}
   */
  function h(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  /**
   * @template {Node} T
   * @param {Node} parent
   * @param {T} child
   * @returns {T}
   */
  function add(parent, child) {
    parent.appendChild(child);
    return child;
  }
  /**
   * @param {Node} parent
   * @param {string} text
   */
  function txt(parent, text) {
    parent.appendChild(document.createTextNode(text));
  }
  /**
   * An SVG element with fixed attributes (names from this script) and text.
   * @param {string} tag
   * @param {Record<string, string | number>} attrs
   * @param {string} [text]
   * @returns {SVGElement}
   */
  function sv(tag, attrs, text) {
    const e = /** @type {SVGElement} */ (document.createElementNS(SVGNS, tag));
    for (const k of Object.keys(attrs)) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /**
   * @param {PageTrace} trace
   * @param {number} i
   */
  function stateOf(trace, i) {
    return i === 0 ? trace.initial : trace.steps[i - 1].state;
  }
  /**
   * @param {string} field
   * @param {number} [index]
   */
  function keyOf(field, index) {
    return index === undefined ? JSON.stringify([field]) : JSON.stringify([field, index]);
  }

  /**
   * The pane's own step at row r, or null where it has none.
   * @param {PaneData} pane
   * @param {number} r
   * @returns {number | null}
   */
  function ownStep(pane, r) {
    const i = rows[r][pane.side];
    return i === null || i === undefined ? null : i;
  }
  /**
   * The pane's state at row r: after its own step there, or after the last step it took before.
   * @param {PaneData} pane
   * @param {number} r
   */
  function shownStep(pane, r) {
    for (let q = r; q >= 0; q--) {
      const i = ownStep(pane, q);
      if (i !== null) return i;
    }
    return 0;
  }
  /**
   * The fields (and elements of array fields) step i wrote.
   * @param {PaneData} pane
   * @param {number} i
   */
  function changedKeys(pane, i) {
    /** @type {Set<string>} */
    const out = new Set();
    if (i <= 0) return out;
    const ps = pane.trace.steps[i - 1].patches;
    if (!Array.isArray(ps)) return out;
    for (const p of ps) {
      if (!p || !Array.isArray(p.path) || p.path.length === 0) continue;
      const f = String(p.path[0]);
      const k = p.path[1];
      out.add(p.path.length > 1 && typeof k === 'number' && pane.arrays.includes(f) ? keyOf(f, k) : keyOf(f));
    }
    return out;
  }
  /**
   * Where two states differ: array fields element by element, other fields whole.
   * @param {PaneData} pane
   * @param {Readonly<Record<string, unknown>>} a
   * @param {Readonly<Record<string, unknown>>} b
   */
  function diffKeys(pane, a, b) {
    /** @type {Set<string>} */
    const out = new Set();
    const fields = Object.keys(a).concat(Object.keys(b).filter((k) => !(k in a)));
    for (const f of fields) {
      const x = a[f];
      const y = b[f];
      if (pane.arrays.includes(f) && Array.isArray(x) && Array.isArray(y) && x.length === y.length) {
        for (let i = 0; i < x.length; i++) if (JSON.stringify(x[i]) !== JSON.stringify(y[i])) out.add(keyOf(f, i));
      } else if (JSON.stringify(x) !== JSON.stringify(y)) out.add(keyOf(f));
    }
    return out;
  }
  /**
   * Marks an element that shows `field` (element `index`) when the step changed it or the other run differs there.
   * @param {Marks} marks
   * @param {Element} el
   * @param {string} field
   * @param {number} [index]
   */
  function mark(marks, el, field, index) {
    const whole = keyOf(field);
    const one = index === undefined ? whole : keyOf(field, index);
    if (marks.changed.has(one) || marks.changed.has(whole)) el.classList.add('changed');
    if (marks.differs && (marks.differs.has(one) || marks.differs.has(whole))) el.classList.add('differs');
  }
  /**
   * @param {PaneData} pane
   * @param {{ role: string, actor: number }} step
   */
  function actorLabel(pane, step) {
    const id = `actor:${step.role}:${step.actor}`;
    const lane = pane.lanes.find((l) => l.id === id);
    return lane ? lane.label : `${step.role} ${step.actor}`;
  }

  /**
   * The model's label of step i of the pane's run, if it offers one.
   * @param {PaneData} pane
   * @param {number} i
   * @returns {string}
   */
  function labelOf(pane, i) {
    const l = pane.labels ? pane.labels[i] : null;
    return typeof l === 'string' ? l : '';
  }

  // ---- pictures: a model's inert drawing of a state

  // The allow-list of traces/picture-allow.ts, handed over in the page data: one list for the page and the SVG export.
  const HTML_TAGS = new Set(DATA.allow.html);
  const SVG_TAGS = new Set(DATA.allow.svg);
  const ATTRS = new Set(DATA.allow.attrs);
  const DATA_ATTR = /^data-[a-z0-9-]+$/;
  // A presentation value that names a resource (url(...)) is dropped even on an allowed attribute.
  const RESOURCE = /url\s*\(/i;
  const MAX_DEPTH = 64;

  /**
   * Builds a picture (node `id` of the page's node table, children by index)
   * under the allow-list. `stepMarks` false (a state this pane's step did
   * not make: a gap beside the other run) drops the picture's own `changed`
   * classes.
   * @param {unknown} id
   * @param {Node} parent
   * @param {boolean} inSvg
   * @param {Marks} marks
   * @param {boolean} stepMarks
   * @param {number} depth
   */
  function picture(id, parent, inSvg, marks, stepMarks, depth) {
    if (depth > MAX_DEPTH || typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= nodes.length) return;
    const node = nodes[id];
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    const n = /** @type {Partial<Record<keyof PageNode, unknown>>} */ (node);
    const tag = n.tag;
    if (typeof tag !== 'string') return;
    const svg = inSvg || tag === 'svg';
    if (svg ? !SVG_TAGS.has(tag) : !HTML_TAGS.has(tag)) return;
    const el = svg ? document.createElementNS(SVGNS, tag) : document.createElement(tag);
    if (typeof n.class === 'string') {
      const cls = n.class.split(/\s+/).filter((c) => c !== '' && (stepMarks || c !== 'changed'));
      if (cls.length > 0) el.setAttribute('class', cls.join(' '));
    }
    const attrs = n.attrs;
    if (attrs !== null && typeof attrs === 'object' && !Array.isArray(attrs)) {
      for (const [name, v] of Object.entries(attrs)) {
        if (typeof v !== 'string' && typeof v !== 'number') continue;
        const value = String(v);
        if (DATA_ATTR.test(name) || (ATTRS.has(name) && !RESOURCE.test(value))) el.setAttribute(name, value);
      }
    }
    if (typeof n.field === 'string') {
      const index = typeof n.index === 'number' && Number.isInteger(n.index) ? n.index : undefined;
      el.setAttribute('data-field', n.field);
      if (index !== undefined) el.setAttribute('data-index', String(index));
      mark(marks, el, n.field, index);
    }
    if (typeof n.text === 'string' || typeof n.text === 'number') el.textContent = String(n.text);
    // A child comes before its parent in the table, so references only go down: no cycle.
    if (Array.isArray(n.children)) for (const c of n.children) if (typeof c === 'number' && c < id) picture(c, el, svg, marks, stepMarks, depth + 1);
    parent.appendChild(el);
  }

  // ---- page skeleton
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  document.title = `${DATA.title} - dnsmc`;
  const header = add(app, h('header'));
  // What went wrong in plain words (the model package's), above the technical headline.
  const plain = panes[0].plain;
  if (typeof plain === 'string' && plain !== '') add(header, h('p', 'plain', plain)).setAttribute('data-test', 'plain-headline');
  add(header, h('h1', '', DATA.title));
  for (const p of panes) add(header, h('div', 'sub', (two ? `${p.label}: ` : '') + p.summary));

  const controls = add(app, h('div', 'controls'));
  /**
   * @param {string} label
   * @param {string} title
   * @param {() => void} f
   */
  function button(label, title, f) {
    const b = add(controls, h('button', '', label));
    b.type = 'button';
    b.title = title;
    b.setAttribute('aria-label', title);
    b.addEventListener('click', f);
    return b;
  }
  button('|\u25C0', 'first step (Home)', () => select(0));
  button('\u25C0', 'previous step (left arrow)', () => select(current - 1));
  const slider = add(controls, h('input'));
  slider.type = 'range';
  slider.min = '0';
  slider.max = String(lastRow);
  slider.step = '1';
  slider.value = '0';
  slider.setAttribute('aria-label', 'step');
  slider.setAttribute('data-test', 'slider');
  slider.addEventListener('input', () => select(Number(slider.value)));
  button('\u25B6', 'next step (right arrow)', () => select(current + 1));
  button('\u25B6|', 'last step (End)', () => select(lastRow));
  const wholeButton = button('whole trace', 'every step on one page, with its narration and picture, for printing or pasting into a postmortem', () => {
    const on = printView.hidden;
    if (on) buildPrint();
    printView.hidden = !on;
    grid.hidden = on;
    wholeButton.setAttribute('aria-pressed', on ? 'true' : 'false');
  });
  wholeButton.setAttribute('data-test', 'whole-trace');
  const pos = add(controls, h('span', 'pos'));
  pos.setAttribute('data-test', 'position');
  add(
    controls,
    h('span', 'hint', `keys: \u2190 \u2192 Home End \u00B7 yellow: changed by this step${two ? ' \u00B7 dashed red: differs from the other run' : ''}`),
  );

  if (two) {
    const banner = add(app, h('div', 'banner'));
    banner.setAttribute('data-test', 'divergence');
    const r = DATA.divergence;
    if (r === null) {
      banner.classList.add('same');
      banner.textContent = 'The two runs agree at every step.';
    } else {
      const b = add(banner, h('div'));
      add(b, h('strong', '', `The runs diverge at step ${r}.`));
      const go = add(b, h('button', '', `show step ${r}`));
      go.type = 'button';
      go.addEventListener('click', () => select(r));
      for (const p of panes) {
        const i = ownStep(p, r);
        const line = add(banner, h('div'));
        add(line, h('strong', '', `${p.label}: `));
        if (i === null) {
          const other = panes[p.side === 'a' ? 1 : 0];
          const j = ownStep(other, r);
          const s = j ? other.trace.steps[j - 1] : null;
          if (s) txt(line, `${actorLabel(other, s)}'s ${s.action} is not taken in this run`);
        } else if (i === 0) txt(line, 'the initial states differ');
        else txt(line, p.trace.steps[i - 1].narration);
      }
    }
  }

  const grid = add(app, h('div', `panes ${two ? 'two' : 'one'}`));
  const views = panes.map((p) => buildPane(grid, p));
  const printView = add(app, h('section', 'print-view'));
  printView.setAttribute('data-test', 'print-view');
  printView.hidden = true;
  let printed = false;
  /** Every step of every run on one page: title, narration, changes, breaks and the picture (built once, on demand or before printing). */
  function buildPrint() {
    if (printed) return;
    printed = true;
    for (const pane of panes) {
      const sec = add(printView, h('section', 'print-pane'));
      add(sec, h('h2', '', `${pane.label}: ${pane.verdict.ok ? '\u2714' : '\u2716'} ${pane.verdict.text}`));
      const t = pane.trace;
      for (let i = 0; i <= t.steps.length; i++) {
        const box = add(sec, h('article', 'print-step'));
        box.setAttribute('data-step', String(i));
        if (i === 0) add(box, h('h3', 'print-title', `Step 0 of ${t.steps.length}: the initial state`));
        else {
          const st = t.steps[i - 1];
          const label = labelOf(pane, i);
          add(box, h('h3', 'print-title', `Step ${i} of ${t.steps.length}: ${actorLabel(pane, st)} \u00B7 ${st.action}${label ? ` \u2014 ${label}` : ''}`));
          add(box, h('p', 'narration', st.narration));
          const ul = add(box, h('ul', 'changes'));
          for (const line of pane.changes[i] || []) add(ul, h('li', '', line));
        }
        for (const bk of t.breaks) {
          if (bk.step !== i) continue;
          const b = add(box, h('div', `brkbox${bk.property === t.property ? '' : ' other'}`));
          add(b, h('span', 'prop', bk.property));
          txt(b, ` ${bk.kind === 'deadlock' ? '(deadlock)' : 'breaks here'}: ${bk.explanation}`);
        }
        const drawn = pane.pictures ? pane.pictures[i] : undefined;
        if (drawn !== undefined) {
          // The picture's first view (its main drawing): one drawing per step.
          const pic = add(box, h('div', 'picture'));
          picture(viewsOf(drawn)[0].id, pic, false, { changed: changedKeys(pane, i), differs: null }, true, 0);
        }
      }
    }
  }
  window.addEventListener('beforeprint', buildPrint);
  add(app, h('footer', '', 'Written by dnsmc. This page loads nothing from the network; every text in it comes from the trace file and is shown as text.'));

  // ---- timeline

  /** @param {string} label */
  function laneLines(label) {
    /** @type {string[]} */
    const lines = [];
    let cur = '';
    for (const w of String(label).split(' ')) {
      if (cur && `${cur} ${w}`.length > 16) {
        lines.push(cur);
        cur = w;
      } else cur = cur ? `${cur} ${w}` : w;
    }
    if (cur) lines.push(cur);
    return lines.slice(0, 3);
  }

  /**
   * What the violation depends on (computed when the page was written): the orderings that must
   * hold, the steps that could move, and the happens-before edges, as text.
   * @param {HTMLElement} root
   * @param {PaneData} pane
   * @param {HTMLElement} timeline the timeline's box: marked `explaining` while the panel is open
   * @param {readonly SVGElement[]} arcs the orderings drawn on the timeline, one per critical ordering, in order
   */
  function explain(root, pane, timeline, arcs) {
    const x = pane.explanation;
    if (!x) return;
    const det = add(root, h('details', 'explanation'));
    det.setAttribute('data-test', `explanation-${pane.side}`);
    det.addEventListener('toggle', () => timeline.classList.toggle('explaining', /** @type {HTMLDetailsElement} */ (det).open));
    add(det, h('summary', '', `Why it breaks: ${x.critical.length} ordering${x.critical.length === 1 ? '' : 's'} this run depends on`));
    add(det, h('p', '', x.outcome));
    /** @param {string} title @param {readonly string[]} items @param {string} test */
    const list = (title, items, test) => {
      if (items.length === 0) return;
      add(det, h('h4', '', title));
      const ul = add(det, h('ul', ''));
      ul.setAttribute('data-test', test);
      for (const t of items) add(ul, h('li', '', t));
    };
    list(
      'It depends on these orderings (the arcs on the timeline); swap the two steps of one and the outcome changes:',
      x.critical.map((c) => c.text),
      'critical',
    );
    det.querySelectorAll('[data-test=critical] li').forEach((li, k) => {
      const arc = arcs.find(
        (a) => a.getAttribute('data-before') === String(x.critical[k].before) && a.getAttribute('data-after') === String(x.critical[k].after),
      );
      if (!arc) return;
      li.addEventListener('mouseenter', () => arc.classList.add('hot'));
      li.addEventListener('mouseleave', () => arc.classList.remove('hot'));
    });
    list('These steps could take other places, and the outcome stays:', x.movable, 'movable');
    list(
      'Every step that must follow another:',
      x.edges.map((e) => `Step ${e.to} after step ${e.from}: ${e.why}.`),
      'edges',
    );
  }

  /**
   * The reason for the divergence, in its row of the last column: what this run does there (or that it takes
   * no step), in the model's words, whole.
   * @param {PaneData} pane
   * @param {number} r the divergence's row
   * @returns {string}
   */
  function divergenceReason(pane, r) {
    const i = ownStep(pane, r);
    const mine = rows[r].status === `only-${pane.side}`;
    const why = i !== null && i > 0 ? labelOf(pane, i) || pane.trace.steps[i - 1].action : mine ? '' : 'not taken here';
    return `\u25B6 ${why || '\u2260 only in this run'}`;
  }

  /**
   * @param {HTMLElement} parent
   * @param {PaneData} pane
   * @returns {View}
   */
  function buildPane(parent, pane) {
    const root = add(parent, h('section', 'pane'));
    root.setAttribute('data-test', `pane-${pane.side}`);
    if (two) {
      add(root, h('h2', '', pane.label));
      const v = add(root, h('div', `verdict ${pane.verdict.ok ? 'ok' : 'bad'}`, `${pane.verdict.ok ? '\u2714' : '\u2716'} ${pane.verdict.text}`));
      v.setAttribute('data-test', `verdict-${pane.side}`);
    }
    // The timeline (and why it breaks) in one column; the selected step, with the state, in the other.
    const left = add(root, h('div', 'left'));
    const wrap = add(left, h('div', 'timeline'));
    // The lanes start after the step labels and, when the package names a root cause, the column of its bar.
    const cause = pane.rootCause;
    const LEFT = STEP_W + (cause ? CAUSE_W : 0);
    /** @type {Map<string, number>} */
    const laneX = new Map();
    pane.lanes.forEach((l, i) => {
      laneX.set(l.id, LEFT + LANE_W * i + LANE_W / 2);
    });
    // The last column is as wide as its longest entry (the reason for the divergence, given whole), at least RIGHT.
    const reason = two && DATA.divergence !== null ? divergenceReason(pane, DATA.divergence) : '';
    const width = LEFT + LANE_W * pane.lanes.length + Math.max(RIGHT, Math.ceil(16 + 6.6 * reason.length));
    const height = TOP + ROW_H * rows.length + 8;
    // The lane headers are a drawing of their own that stays at the top of the scrolled timeline; the rows are
    // the rest of the same drawing (its viewBox starts below the headers, so both share coordinates).
    const headBox = add(wrap, h('div', 'timeline-head'));
    const head = add(headBox, sv('svg', { width: width, height: TOP, viewBox: `0 0 ${width} ${TOP}`, role: 'img' }));
    add(head, sv('title', {}, `the lanes: one per actor, then the resources; the last column: ${two ? 'how the runs compare' : 'the properties broken'}`));
    const svg = /** @type {SVGSVGElement} */ (
      add(wrap, sv('svg', { width: width, height: height - TOP, viewBox: `0 ${TOP} ${width} ${height - TOP}`, role: 'img' }))
    );
    add(svg, sv('title', {}, 'timeline: one lane per actor; each step a mark on its actor\u2019s lane'));
    const defs = add(svg, sv('defs', {}));
    const mk = add(
      defs,
      sv('marker', { id: `ah-${pane.side}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }),
    );
    add(mk, sv('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }));
    for (const l of pane.lanes) {
      const x = /** @type {number} */ (laneX.get(l.id));
      laneLines(l.label).forEach((line, k) => {
        add(head, sv('text', { x: x, y: 14 + 12 * k, 'text-anchor': 'middle', class: `lanehead ${l.kind}` }, line));
      });
      add(head, sv('line', { x1: x, y1: TOP - 4, x2: x, y2: TOP, class: `laneline ${l.kind}` }));
      add(svg, sv('line', { x1: x, y1: TOP, x2: x, y2: height - 4, class: `laneline ${l.kind}` }));
    }
    add(head, sv('text', { x: LEFT + LANE_W * pane.lanes.length + 8, y: 14, class: 'lanehead' }, two ? 'compared' : 'properties'));
    /** @type {Map<number, import('./data.js').PageMark>} */
    const byStep = new Map();
    for (const m of pane.marks) byStep.set(m.step, m);
    const other = two ? panes[pane.side === 'a' ? 1 : 0] : null;
    const bx = LEFT + LANE_W * pane.lanes.length + 8;
    const rowEls = rows.map((row, r) => {
      const y = TOP + ROW_H * r + ROW_H / 2;
      const g = /** @type {SVGGElement} */ (add(svg, sv('g', { class: 'row', 'data-row': r })));
      add(g, sv('rect', { x: 0, y: y - ROW_H / 2, width: width, height: ROW_H, class: 'rowbg' }));
      const i = ownStep(pane, r);
      // Each run is numbered by its own steps; a row where this run takes no step has no number.
      add(g, sv('text', { x: 8, y: y + 4, class: 'steplabel' }, r === 0 ? 'initial' : i === null ? '\u2014' : `step ${i}`));
      /** @type {string[]} */
      const tip = [];
      if (i !== null && i > 0) {
        const s = pane.trace.steps[i - 1];
        const m = byStep.get(s.step);
        const x = (m && laneX.get(m.lane)) ?? LEFT + 10;
        const targets = m ? m.targets.filter((t) => laneX.has(t)) : [];
        for (const t of targets) {
          const tx = /** @type {number} */ (laneX.get(t));
          add(g, sv('line', { x1: x, y1: y, x2: tx + (tx > x ? -6 : 6), y2: y, class: 'arrow', 'marker-end': `url(#ah-${pane.side})` }));
        }
        add(g, sv('circle', { cx: x, cy: y, r: 5, class: 'mark' }));
        const label = labelOf(pane, i);
        const t = add(g, sv('text', { x: x + 8, y: targets.length ? y - 4 : y + 4, class: 'action' }, s.action));
        if (label) {
          // As much of the label as fits before the last column (or, on a row that column leaves empty, before the
          // drawing's edge); all of it in the tooltip.
          const free = !two && !pane.trace.breaks.some((bk) => bk.step === i);
          const end = free ? width - 8 : LEFT + LANE_W * pane.lanes.length;
          const room = Math.floor((end - x - 16) / 5.6) - s.action.length - 3;
          const shown = label.length <= room ? label : room > 8 ? `${label.slice(0, room - 1)}\u2026` : '';
          if (shown) add(t, sv('tspan', { class: 'steplabel-story', 'data-test': 'row-label' }, `: ${shown}`));
        }
        tip.push(`step ${i}: ${s.action}${label ? ` (${label})` : ''}`, s.narration);
      } else if (r === 0) tip.push('the initial state');
      else tip.push('no step of this run here');
      add(g, sv('title', {}, tip.join('\n')));
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'button');
      g.setAttribute('aria-label', tip.join(': '));
      g.addEventListener('focus', () => {
        if (current !== r) select(r);
      });
      if (i === null && r > 0 && other) {
        const oi = ownStep(other, r);
        const os = oi ? other.trace.steps[oi - 1] : null;
        if (os) {
          const gx = laneX.get(`actor:${os.role}:${os.actor}`) ?? LEFT + 10;
          add(g, sv('circle', { cx: gx, cy: y, r: 5, class: 'mark ghost' }));
          add(g, sv('text', { x: gx + 8, y: y + 4, class: 'ghost-label' }, `${os.action} (not taken)`));
        }
      }
      if (two) {
        const st = row.status;
        const mine = st === `only-${pane.side}`;
        const glyph = st === 'same' ? '= same' : st === 'differs' ? '\u2260 differs' : mine ? '\u2260 only in this run' : '\u2260 not taken here';
        const cls = st === 'same' ? 'status-same' : st === 'differs' ? 'status-differs' : 'status-only';
        let said = glyph;
        if (DATA.divergence === r) said = divergenceReason(pane, r);
        const st_ = add(g, sv('text', { x: bx, y: y + 4, class: cls }, said));
        if (DATA.divergence === r) st_.setAttribute('data-test', 'divergence-reason');
        if (DATA.divergence === r) g.classList.add('diverges');
      } else if (i !== null) {
        const texts = pane.trace.breaks
          .filter((bk) => bk.step === i)
          .map((bk) => {
            const main = bk.property === pane.trace.property;
            return { text: (main ? '\u2716 ' : '! ') + bk.property + (main ? (bk.kind === 'deadlock' ? '' : ' violated') : ' breaks'), main: main };
          });
        texts.forEach((t, k) => {
          add(g, sv('text', { x: bx, y: y + 4 + (k - (texts.length - 1) / 2) * 11, class: `brk${t.main ? '' : ' other'}` }, t.text));
        });
      }
      g.addEventListener('click', () => select(r));
      return g;
    });
    if (pane.loop !== null) {
      // The bracket spans the steps that repeat: from the first one (the step after the state the run comes back to) to the last.
      const n = pane.trace.steps.length;
      const firstRepeating = pane.loop < n ? pane.loop + 1 : n;
      let loopRow = -1;
      let endRow = -1;
      rows.forEach((_, r) => {
        const i = ownStep(pane, r);
        if (i === firstRepeating) loopRow = r;
        if (i !== null) endRow = r;
      });
      if (loopRow >= 0) {
        const lx = LEFT + LANE_W * pane.lanes.length - 6;
        const y1 = TOP + ROW_H * loopRow + 4;
        const y2 = TOP + ROW_H * endRow + ROW_H - 4;
        const path = add(svg, sv('path', { d: `M ${lx - 8} ${y2} H ${lx} V ${y1} H ${lx - 8}`, class: 'loop', 'data-test': 'loop' }));
        path.setAttribute('data-first-step', String(firstRepeating));
        path.setAttribute('data-last-step', String(n));
        add(
          svg,
          sv('text', { x: lx - 4, y: y1 + 10, 'text-anchor': 'end', class: 'looplabel' }, pane.loop < n ? `\u21BB back to step ${pane.loop}` : '\u21BB stays'),
        );
      }
    }
    // The orderings the run depends on (from explain): a thin arc from the earlier step's mark to the later one's, bowing
    // to the left of both (a cubic curve stays within its control points, so inside the drawing); highlighted while
    // "Why it breaks" is open, and one of them while its sentence is hovered.
    /** @type {SVGElement[]} */
    const arcs = [];
    if (pane.explanation) {
      /** @param {number} step */
      const rowOf = (step) => rows.findIndex((_, r) => ownStep(pane, r) === step);
      /** @param {number} step */
      const markX = (step) => {
        const m = byStep.get(pane.trace.steps[step - 1].step);
        return (m && laneX.get(m.lane)) ?? LEFT + 10;
      };
      for (const c of pane.explanation.critical) {
        const ra = rowOf(c.before);
        const rb = rowOf(c.after);
        if (ra < 0 || rb < 0) continue;
        const xa = markX(c.before) - 5;
        const xb = markX(c.after) - 5;
        const ya = TOP + ROW_H * ra + ROW_H / 2;
        const yb = TOP + ROW_H * rb + ROW_H / 2;
        const bow = Math.max(LEFT - 8, Math.min(xa, xb) - 12 - 3 * (rb - ra));
        const arc = add(svg, sv('path', { d: `M ${xa} ${ya} C ${bow} ${ya}, ${bow} ${yb}, ${xb} ${yb}`, class: 'ordering', 'data-test': 'ordering' }));
        arc.setAttribute('data-before', String(c.before));
        arc.setAttribute('data-after', String(c.after));
        add(arc, sv('title', {}, c.text));
        arcs.push(arc);
      }
    }
    // The root cause the package names (e.g. a check at one step trusted at a later one): a red bar in its own column,
    // from the row of the earlier step to the row of the later, joined to both steps' marks, its label along it.
    if (cause) {
      const ra = rows.findIndex((_, r) => ownStep(pane, r) === cause.from);
      const rb = rows.findIndex((_, r) => ownStep(pane, r) === cause.to);
      if (ra >= 0 && rb > ra) {
        const ya = TOP + ROW_H * ra + ROW_H / 2;
        const yb = TOP + ROW_H * rb + ROW_H / 2;
        const bx0 = STEP_W + 6;
        /** @param {number} step */
        const markAt = (step) => {
          const m = byStep.get(pane.trace.steps[step - 1].step);
          return (m && laneX.get(m.lane)) ?? LEFT + 10;
        };
        const g = add(svg, sv('g', { class: 'cause', 'data-test': 'root-cause', 'data-from': cause.from, 'data-to': cause.to }));
        add(g, sv('title', {}, cause.text));
        add(g, sv('line', { x1: bx0, y1: ya, x2: markAt(cause.from) - 6, y2: ya, class: 'cause-tie' }));
        add(g, sv('line', { x1: bx0, y1: yb, x2: markAt(cause.to) - 6, y2: yb, class: 'cause-tie' }));
        add(g, sv('line', { x1: bx0, y1: ya, x2: bx0, y2: yb, class: 'cause-bar', 'data-test': 'root-cause-bar' }));
        // Along the bar, read upwards; as much of the label as the span holds (all of it in the tooltip).
        const room = Math.floor((yb - ya - 8) / 6.2);
        const label = cause.label.length <= room ? cause.label : room > 8 ? `${cause.label.slice(0, room - 1)}\u2026` : '';
        const cx = bx0 + 15;
        const cy = (ya + yb) / 2;
        if (label)
          add(
            g,
            sv(
              'text',
              { x: cx, y: cy, 'text-anchor': 'middle', transform: `rotate(-90 ${cx} ${cy})`, class: 'cause-label', 'data-test': 'root-cause-label' },
              label,
            ),
          );
      }
    }
    if (pane.explanation) explain(left, pane, wrap, arcs);
    const state = add(root, h('div', 'state'));
    state.setAttribute('data-test', `state-${pane.side}`);
    return { pane: pane, wrap: wrap, svg: svg, width: width, rowEls: rowEls, state: state };
  }

  // ---- the selected step

  /**
   * @param {View} view
   * @param {number} r
   */
  function renderState(view, r) {
    const pane = view.pane;
    const t = pane.trace;
    const el = view.state;
    el.textContent = '';
    const own = ownStep(pane, r);
    const i = shownStep(pane, r);
    /** @type {Marks} */
    const marks = { changed: own === null ? new Set() : changedKeys(pane, i), differs: null };
    const other = two ? panes[pane.side === 'a' ? 1 : 0] : null;
    if (other) marks.differs = diffKeys(pane, stateOf(t, i), stateOf(other.trace, shownStep(other, r)));
    if (own === null) {
      const oi = other ? ownStep(other, r) : null;
      const os = other && oi ? other.trace.steps[oi - 1] : null;
      add(el, h('div', 'step-title', `Row ${r}: no step of this run (${t.steps.length} steps in all)`));
      const gap = add(
        el,
        h(
          'p',
          'gap',
          other && os ? `${actorLabel(other, os)}'s ${os.action} could not be taken here; the state is as after step ${i} of this run.` : 'No step here.',
        ),
      );
      gap.setAttribute('data-test', 'gap');
    } else if (own === 0) {
      add(el, h('div', 'step-title', two ? 'Initial state' : `Step 0 of ${t.steps.length}: the initial state`));
    } else {
      const st = t.steps[own - 1];
      const label = labelOf(pane, own);
      const title = add(el, h('div', 'step-title', `Step ${st.step} of ${t.steps.length}: ${actorLabel(pane, st)} \u00B7 ${st.action}`));
      if (label) add(title, h('span', 'step-label', ` \u2014 ${label}`)).setAttribute('data-test', 'step-label');
      const n = add(el, h('p', 'narration', st.narration));
      n.setAttribute('data-test', 'narration');
      const ul = add(el, h('ul', 'changes'));
      ul.setAttribute('data-test', 'changes');
      for (const line of pane.changes[own] || []) add(ul, h('li', '', line));
      const alts = pane.alternatives?.[own] ? pane.alternatives[own].map((k) => DATA.alternatives[k]).filter((a) => a) : null;
      if (alts && alts.length > 0) {
        const det = add(el, h('details', 'alternatives'));
        det.setAttribute('data-test', 'alternatives');
        const others = alts.length - 1;
        add(
          det,
          h(
            'summary',
            '',
            others === 0
              ? 'What else could have happened here: nothing, this was the only enabled action'
              : `What else could have happened here: ${others} other action${others === 1 ? '' : 's'} enabled`,
          ),
        );
        const list = add(det, h('ul', 'alts'));
        for (const a of alts) {
          const li = add(list, h('li', a.taken ? 'taken' : ''));
          li.setAttribute('data-test', 'alternative');
          li.setAttribute('data-action', a.action);
          li.setAttribute('data-actor', String(a.actor));
          li.setAttribute('data-taken', a.taken ? 'true' : 'false');
          const head = add(li, h('div', 'alt-head'));
          add(head, h('strong', '', `${actorLabel(pane, { role: a.role, actor: a.actor })} \u00B7 ${a.action}`));
          if (a.label) txt(head, ` \u2014 ${a.label}`);
          if (a.taken) add(head, h('span', 'alt-taken', ' (the step taken)'));
          for (const b of a.breaks) add(head, h('span', 'alt-breaks', ` \u2716 breaks ${b}`));
          add(li, h('div', 'alt-narration', a.narration));
          if (a.changes.length > 0) add(li, h('div', 'alt-changes', a.changes.join(' \u00B7 ')));
        }
      }
    }
    if (pane.loop !== null && own !== null && own >= pane.loop) {
      const n = t.steps.length;
      const words =
        pane.loop === n
          ? '\u21BB The run stays in this state forever (the loop of this lasso).'
          : (own === pane.loop
              ? `\u21BB The loop starts here: after step ${n} the run is back in this state`
              : `\u21BB This step is in the loop: after step ${n} the run is back in the state of step ${pane.loop}`) +
            ', and steps ' +
            (pane.loop + 1) +
            ' to ' +
            n +
            ' repeat forever.';
      const lp = add(el, h('div', 'brkbox other', words));
      lp.setAttribute('data-test', 'loop-note');
    }
    for (const bk of t.breaks) {
      if (own === null || bk.step > own) continue;
      const main = bk.property === t.property;
      const now = bk.step === own;
      const box = add(el, h('div', `brkbox${now ? (main ? '' : ' other') : ` earlier${main ? ' main' : ''}`}`));
      box.setAttribute('data-test', 'break');
      box.setAttribute('data-property', bk.property);
      box.setAttribute('data-status', now ? 'violated-here' : 'violated-earlier');
      add(box, h('span', 'prop', bk.property));
      const verb =
        bk.kind === 'deadlock' ? ' (deadlock)' : now ? (main ? ' VIOLATED at this step: ' : ' also breaks at this step: ') : ` broke at step ${bk.step}: `;
      txt(box, verb + (bk.kind === 'deadlock' ? ': ' : '') + bk.explanation);
    }
    // One view of the state at a time: the model's picture (each of its named views), or all the fields.
    const drawn = pane.pictures ? pane.pictures[i] : undefined;
    const parts = drawn === undefined ? [] : viewsOf(drawn);
    const names = parts.map((v) => v.name).concat([FIELDS_VIEW]);
    const sel = chosenView !== null && names.includes(chosenView) ? chosenView : names[0];
    if (names.length > 1) {
      const bar = add(el, h('div', 'tabs'));
      bar.setAttribute('role', 'tablist');
      bar.setAttribute('aria-label', 'views of the state');
      for (const name of names) {
        const b = add(bar, h('button', '', name));
        b.type = 'button';
        b.setAttribute('role', 'tab');
        b.setAttribute('aria-selected', name === sel ? 'true' : 'false');
        b.setAttribute('data-test', 'view-tab');
        b.addEventListener('click', () => {
          chosenView = name;
          select(current);
        });
      }
    }
    if (drawn !== undefined) {
      const box = add(el, h('div', 'picture'));
      box.setAttribute('data-test', 'picture');
      box.hidden = sel === FIELDS_VIEW;
      if (parts.length === 1 && parts[0].whole) picture(drawn, box, false, marks, own !== null, 0);
      else
        for (const v of parts) {
          const one = add(box, h('div', 'view'));
          one.hidden = v.name !== sel;
          picture(v.id, one, false, marks, own !== null, 0);
        }
    }
    if (pane.pictureError !== null) add(el, h('p', 'picture-error', `The model\u2019s picture of its states could not be drawn: ${pane.pictureError}`));
    const fieldsBox = add(el, h('div', 'fields-view'));
    fieldsBox.setAttribute('data-test', 'fields-view');
    fieldsBox.hidden = sel !== FIELDS_VIEW;
    picture(pane.fields[i], fieldsBox, false, marks, own !== null, 0);
  }

  /** The name of the view of the state that shows every field. */
  const FIELDS_VIEW = 'all state fields';
  /** The view of the state the reader chose (a tab's name); null until one is clicked: the first. */
  /** @type {string | null} */
  let chosenView = null;
  /**
   * The views of a picture (node `id`): its top-level children when every one of them names itself
   * (`data-view`), else the whole picture as one view.
   * @param {number} id
   * @returns {{ name: string, id: number, whole: boolean }[]}
   */
  function viewsOf(id) {
    const node = typeof id === 'number' ? nodes[id] : undefined;
    const kids = node && Array.isArray(node.children) ? node.children : [];
    /** @type {{ name: string, id: number, whole: boolean }[]} */
    const out = [];
    for (const c of kids) {
      const child = typeof c === 'number' && c < id ? nodes[c] : undefined;
      const attrs = child && child.attrs !== null && typeof child.attrs === 'object' ? child.attrs : undefined;
      const name = attrs ? attrs['data-view'] : undefined;
      if (typeof name !== 'string' || name === '' || name === FIELDS_VIEW || out.some((v) => v.name === name))
        return [{ name: 'picture', id: id, whole: true }];
      out.push({ name: name, id: c, whole: false });
    }
    return out.length > 0 ? out : [{ name: 'picture', id: id, whole: true }];
  }

  // ---- navigation

  /**
   * @param {number} r
   * @param {boolean} [fromHash]
   */
  function select(r, fromHash) {
    if (typeof r !== 'number' || !Number.isFinite(r)) return;
    r = Math.max(0, Math.min(lastRow, Math.round(r)));
    current = r;
    slider.value = String(r);
    pos.textContent = r === 0 ? 'initial state' : `step ${r} of ${lastRow}`;
    for (const v of views) {
      v.rowEls.forEach((g, q) => {
        g.classList.toggle('selected', q === r);
      });
      // Keep the selected row in view (the drawing may be scaled to fit its column).
      const scale = v.svg.getBoundingClientRect().width / v.width || 1;
      const y = (TOP + ROW_H * r) * scale;
      if (y < v.wrap.scrollTop + TOP * scale || y + ROW_H * scale > v.wrap.scrollTop + v.wrap.clientHeight)
        v.wrap.scrollTop = Math.max(0, y - v.wrap.clientHeight / 2);
      renderState(v, r);
    }
    if (!fromHash) {
      const hash = `#step=${r}`;
      if (location.hash !== hash) {
        try {
          history.replaceState(null, '', hash);
        } catch (_e) {
          location.hash = hash;
        }
      }
    }
  }
  function hashStep() {
    const m = /^#step=(\d+)$/.exec(location.hash);
    return m ? Number(m[1]) : null;
  }
  document.addEventListener('keydown', (ev) => {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    let to = null;
    if (ev.key === 'ArrowRight' || ev.key === 'ArrowDown') to = current + 1;
    else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowUp') to = current - 1;
    else if (ev.key === 'Home') to = 0;
    else if (ev.key === 'End') to = lastRow;
    if (to === null) return;
    ev.preventDefault();
    select(to);
  });
  window.addEventListener('hashchange', () => {
    const r = hashStep();
    if (r !== null && r !== current) select(r, true);
  });
  /** The row a page opens at without a `#step=N`: where the runs diverge (side by side), else where the trace's property breaks. */
  function openingRow() {
    if (two && DATA.divergence !== null) return DATA.divergence;
    const r = rows.findIndex((row) => row.a === panes[0].breaking);
    return Math.max(r, 0);
  }
  const start = hashStep();
  select(start === null ? openingRow() : start, start !== null && start <= lastRow);
})();
