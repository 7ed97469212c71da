/**
 * A trace as a mermaid `sequenceDiagram`: one participant per actor (and per
 * resource lane, when the caller names them). Every string taken from a
 * trace is escaped so that it can only ever be read as text.
 */
import { wrapWords } from './format.js';
import { sequenceOf, type LaneOptions } from './lanes.js';
import { loopOf, loopWords, traceTitle } from './text.js';
import type { Trace } from './trace.js';

/**
 * Escapes text for a mermaid sequence diagram: letters, digits, spaces and
 * harmless punctuation stay; anything else (`#`, `;`, `<`, `>`, `&`, quotes,
 * line breaks, non-ASCII) becomes a mermaid entity code `#NNN;`, which
 * mermaid shows as the character and never reads as syntax or HTML.
 */
export function mermaidText(s: string): string {
  let out = '';
  for (const ch of s.replace(/[\r\n]+/g, ' ')) {
    out += /[A-Za-z0-9 ,.'()\-_/=+*!?:[\]{}@$^~]/.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  }
  // A leading "wrap:" or "nowrap:" would be read as a directive.
  return out.replace(/^(no)?wrap:/i, (m) => `#${m.codePointAt(0)};${m.slice(1)}`);
}

/** The ground of the breaking step (the trace's own property), and of another property's note. */
const RED = '  rect rgb(255, 205, 205)';
const AMBER = '  rect rgb(255, 244, 229)';

/** The width, in characters, at which a note's text is broken onto a new line. */
export const NOTE_WIDTH = 60;

/**
 * A note's text: wrapped at {@link NOTE_WIDTH} characters at word
 * boundaries, each line escaped by {@link mermaidText}, the lines joined by
 * `<br/>` (the one piece of markup dnsmc writes into a note; a `<br/>` in
 * the text itself is escaped like any other).
 */
export function mermaidNote(s: string): string {
  return wrapWords(s, NOTE_WIDTH).map(mermaidText).join('<br/>');
}

/** A mermaid `sequenceDiagram` of the trace: each step a message from its actor (to the resources it changed), with the narration as a note. */
export function toMermaid(trace: Trace, o: LaneOptions = {}): string {
  const t = mermaidText;
  const seq = sequenceOf(trace, o);
  const id = new Map(seq.lanes.map((l, i) => [l.id, `p${i}`]));
  const first = 'p0';
  const last = `p${Math.max(0, seq.lanes.length - 1)}`;
  const loop = loopOf(trace);
  // Long narrations wrap inside their notes (mermaid reads this directive anywhere in the diagram).
  // wrapPadding 30: mermaid measures a line a little narrower than Chromium draws it; the room kept on each side holds the difference.
  const out = ['sequenceDiagram', "  %%{init: {'sequence': {'wrap': true, 'noteAlign': 'left', 'wrapPadding': 30}}}%%"];
  for (const l of seq.lanes) out.push(`  participant ${id.get(l.id)} as ${t(l.label)}`);
  const note = mermaidNote;
  const main = trace.breaks.find((b) => b.property === trace.property);
  /** Notes for the properties that break at step `i`: the trace's own as a VIOLATION (inside the red rect of its step), any other on amber. */
  const breaks = (i: number): void => {
    for (const b of trace.breaks) {
      if (b.step !== i) continue;
      if (b === main) {
        const what = b.kind === 'deadlock' ? 'deadlock' : `${b.property} breaks here`;
        out.push(`  Note over ${first},${last}: ${note(`VIOLATION: ${what}: ${b.explanation}`)}`);
      } else {
        out.push(AMBER, `  Note over ${first},${last}: ${note(`${b.property} also breaks: ${b.explanation}`)}`, '  end');
      }
    }
  };
  if (seq.lanes.length > 0) {
    if (main?.step === 0) out.push(RED);
    out.push(`  Note over ${first},${last}: ${note(`${traceTitle(trace)}. Step 0: the initial state`)}`);
    breaks(0);
    if (main?.step === 0) out.push('  end');
  }
  trace.steps.forEach((s, i) => {
    if (loop !== undefined && s.step === loop + 1) out.push(`  loop ${t(`steps ${loop + 1} to ${trace.steps.length} repeat forever`)}`);
    // The breaking step, its message and narration with the violation's note, on a red ground.
    const red = main?.step === s.step;
    if (red) out.push(RED);
    const step = seq.steps[i];
    const from = id.get(step.lane) ?? first;
    const targets = step.targets.length > 0 ? step.targets : [step.lane];
    targets.forEach((to, j) => {
      out.push(`  ${from}->>${id.get(to) ?? from}: ${t(j === 0 ? `${s.step}. ${s.action}` : `${s.step}. (also)`)}`);
    });
    // A note over one lane is as narrow as its lane (150 px in mermaid): mermaid's own wrapping (the init directive)
    // breaks it to fit, which it does not do to lines dnsmc has already broken.
    out.push(`  Note over ${from}: ${t(s.narration)}`);
    breaks(s.step);
    if (red) out.push('  end');
  });
  if (loop !== undefined && loop < trace.steps.length) out.push('  end');
  if (loop !== undefined && loop === trace.steps.length && seq.lanes.length > 0)
    out.push(`  Note over ${first},${last}: ${note(`↻ ${loopWords(loop, loop)}`)}`);
  return `${out.join('\n')}\n`;
}
