/**
 * `dnsmc view TRACE [--compare TRACE2] [--out FILE.html]`: writes the trace
 * viewer, one self-contained HTML file (see traces/viewer.ts). Also used by
 * `dnsmc check --view FILE.html` for the counterexample it finds.
 */
import { basename } from 'node:path';
import type { Model } from '../checker/model/model.js';
import type { JsonState } from '../checker/state/layout.js';
import type { PictureNode, Presentation } from '../checker/package/presentation.js';
import { laneOptionsFor, type LaneOptions } from '../traces/lanes.js';
import { TraceError, type Trace } from '../traces/trace.js';
import { verifyObservations } from '../traces/verify.js';
import { viewerHtml, type ViewerPane } from '../traces/viewer.js';
import { EXIT, UsageError } from './errors.js';
import { fileFlag, outputFlag, refuseOverwrite } from './flags.js';
import type { PackageSource } from './model.js';
import { writeOutput } from './report.js';
import type { Io } from './io.js';
import { readTraceFile } from './trace-file.js';

/** The flags of `dnsmc view`, as yargs hands them over (unvalidated). */
export interface ViewArgs {
  trace?: unknown;
  compare?: unknown;
  out?: unknown;
  /** The user model module the traces were made with. */
  model?: unknown;
}

/** Lanes for a model's traces: every actor of every role, named as the model names them, then its package's resource lanes. */
export function laneOptions(model: Model, presentation?: Presentation): LaneOptions {
  return laneOptionsFor(model, presentation);
}

/** One trace to show, with the model it belongs to, the package that built it, and a label (e.g. its file name). */
export interface ViewSource {
  readonly trace: Trace;
  readonly model: Model;
  readonly source?: PackageSource;
  readonly label?: string;
  /** How states are presented (lanes, a picture). Absent: the package's (`source`); present but undefined: none. */
  readonly presentation?: Presentation;
}

/** The viewer page for a trace, or for two side by side. */
export function viewerPage(a: ViewSource, b?: ViewSource): string {
  const pane = (s: ViewSource): ViewerPane => ({
    trace: s.trace,
    label: s.label,
    model: s.model,
    presentation: 'presentation' in s ? s.presentation : s.source?.pkg.presentation,
  });
  return viewerHtml(b ? [pane(a), pane(b)] : [pane(a)]);
}

/** Writes the viewer page for one trace (`check --view`, `simulate --view`). */
export function writeViewer(file: string, v: ViewSource, flag: string): void {
  writeOutput(file, viewerPage(v), flag);
}

/** A picture's named views (its top-level children when every one names itself with `data-view`, as the viewer's tabs read them), else null. */
function namedViews(p: PictureNode): { name: string; node: PictureNode }[] | null {
  const kids = p.children ?? [];
  const out: { name: string; node: PictureNode }[] = [];
  for (const c of kids) {
    const name = c?.attrs?.['data-view'];
    if (typeof name !== 'string' || name === '' || out.some((v) => v.name === name)) return null;
    out.push({ name, node: c });
  }
  return out.length > 0 ? out : null;
}

/**
 * A presentation that shows the model's picture of each state beside the
 * same picture of what the system held: two columns, the model's on the
 * left. A picture in named views (dns: drawing, over time, records) stays in
 * those views, each with the model's part and the system's side by side, so
 * the viewer's tabs still show one view at a time.
 */
export function besideObserved(p: Presentation | undefined, observed: readonly (JsonState | null)[], label: string): Presentation | undefined {
  const picture = p?.picture;
  if (!picture) return p;
  const NOT_SEEN: PictureNode = { tag: 'p', text: 'not observed (the system refused the step, or re-enacting stopped before it)' };
  const pair = (mine: PictureNode, real: PictureNode, attrs?: PictureNode['attrs']): PictureNode => ({
    tag: 'div',
    class: 'beside',
    ...(attrs ? { attrs } : {}),
    children: [
      { tag: 'div', attrs: { 'data-test': 'modelled' }, children: [{ tag: 'h4', text: 'the model' }, mine] },
      { tag: 'div', attrs: { 'data-test': 'observed' }, children: [{ tag: 'h4', text: label }, real] },
    ],
  });
  return {
    ...p,
    picture: (model, states, i) => {
      const mine = picture(model, states, i);
      const seen = observed[i];
      const real: PictureNode | null = seen
        ? picture(
            model,
            states.map((s, j) => ({ ...s, ...(observed[j] ?? {}) })),
            i,
          )
        : null;
      const views = namedViews(mine);
      const realViews = real ? namedViews(real) : null;
      if (!views || (real && (!realViews || realViews.length !== views.length))) return pair(mine, real ?? NOT_SEEN);
      return {
        tag: 'div',
        children: views.map((v, k) => pair(v.node, realViews ? realViews[k].node : NOT_SEEN, { 'data-view': v.name })),
      };
    },
  };
}

/**
 * What `dnsmc reenact --trace-out` recorded the real system holding after each
 * step, when the trace carries it: checked (traces/verify.ts
 * verifyObservations: each field fits the model's layout or is the system's
 * description of what it held), or refused naming the field. These are the
 * file's word, not re-derived: the page says so.
 */
export function recordedObservations(loaded: { trace: Trace; model: Model; file: string }): (JsonState | null)[] | undefined {
  const r = (loaded.trace as { reenacted?: unknown }).reenacted;
  if (r === undefined) return undefined;
  try {
    return verifyObservations(loaded.model, loaded.trace, (r as { observed?: unknown } | null)?.observed);
  } catch (e) {
    if (e instanceof TraceError) throw new TraceError(`${loaded.file}: ${e.message}`);
    throw e;
  }
}

const labelOf = (file: string, t: Trace): string => `${basename(file)}${t.variant ? ` (${t.variant})` : ''}`;

/** Runs `dnsmc view`; resolves to 0 once the page is written. Throws UsageError or TraceError for bad input. */
export async function runView(a: ViewArgs, io: Io): Promise<number> {
  if (typeof a.trace !== 'string' || a.trace === '') throw new UsageError('view needs a trace file: dnsmc view TRACE [--compare TRACE2] [--out FILE.html]');
  const compare = fileFlag('compare', a.compare);
  const out = outputFlag('out', a.out ?? `${a.trace.replace(/\.json$/i, '')}.html`);
  refuseOverwrite(
    [['out', out]],
    [
      ['the trace', a.trace],
      ['the compared trace', compare],
    ],
  );
  const first = await readTraceFile(a.trace, { model: a.model });
  const second = compare === undefined ? undefined : await readTraceFile(compare, { model: a.model });
  // A trace `dnsmc reenact` annotated: the real records beside the model's, as the file recorded them.
  const pane = (l: typeof first): ViewSource => {
    const observed = recordedObservations(l);
    const base = { ...l, label: labelOf(l.file, l.trace) };
    return observed ? { ...base, presentation: besideObserved(l.source.pkg.presentation, observed, 'on the real system, as the file records it') } : base;
  };
  const page = viewerPage(pane(first), second && pane(second));
  writeOutput(out, page, 'out');
  io.out(`viewer written to ${out}\n`);
  return EXIT.ok;
}
