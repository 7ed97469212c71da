/**
 * A trace as a mermaid `sequenceDiagram`: one participant per actor (and per
 * resource lane, when the caller names them). Every string taken from a
 * trace is escaped so that it can only ever be read as text.
 */
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

/** A mermaid `sequenceDiagram` of the trace: each step a message from its actor (to the resources it changed), with the narration as a note. */
export function toMermaid(trace: Trace, o: LaneOptions = {}): string {
  const t = mermaidText;
  const seq = sequenceOf(trace, o);
  const id = new Map(seq.lanes.map((l, i) => [l.id, `p${i}`]));
  const first = 'p0';
  const last = `p${Math.max(0, seq.lanes.length - 1)}`;
  const loop = loopOf(trace);
  // Long narrations wrap inside their notes (mermaid reads this directive anywhere in the diagram).
  const out = ['sequenceDiagram', "  %%{init: {'sequence': {'wrap': true, 'noteAlign': 'left'}}}%%"];
  for (const l of seq.lanes) out.push(`  participant ${id.get(l.id)} as ${t(l.label)}`);
  const breaks = (i: number): void => {
    for (const b of trace.breaks) {
      if (b.step !== i) continue;
      const main = b.property === trace.property;
      const what = main ? (b.kind === 'deadlock' ? 'deadlock' : `${b.property} VIOLATED`) : `${b.property} also breaks`;
      // The violation's note on a red ground, another property's on amber, so that neither reads as one more narration.
      out.push(main ? '  rect rgb(253, 236, 234)' : '  rect rgb(255, 244, 229)');
      out.push(`  Note over ${first},${last}: ${t(`${what}: ${b.explanation}`)}`);
      out.push('  end');
    }
  };
  if (seq.lanes.length > 0) {
    out.push(`  Note over ${first},${last}: ${t(`${traceTitle(trace)}. Step 0: the initial state`)}`);
    breaks(0);
  }
  trace.steps.forEach((s, i) => {
    if (loop !== undefined && s.step === loop + 1) out.push(`  loop ${t(`steps ${loop + 1} to ${trace.steps.length} repeat forever`)}`);
    const step = seq.steps[i];
    const from = id.get(step.lane) ?? first;
    const targets = step.targets.length > 0 ? step.targets : [step.lane];
    targets.forEach((to, j) => {
      out.push(`  ${from}->>${id.get(to) ?? from}: ${t(j === 0 ? `${s.step}. ${s.action}` : `${s.step}. (also)`)}`);
    });
    out.push(`  Note over ${from}: ${t(s.narration)}`);
    breaks(s.step);
  });
  if (loop !== undefined && loop < trace.steps.length) out.push('  end');
  if (loop !== undefined && loop === trace.steps.length && seq.lanes.length > 0) out.push(`  Note over ${first},${last}: ${t(`↻ ${loopWords(loop, loop)}`)}`);
  return `${out.join('\n')}\n`;
}
