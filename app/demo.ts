/**
 * `dnsmc` with no command: the default package's demo (for the built-in
 * `dns` package, the postmortem: the October 2025 race in the as-was
 * protocol and its root cause, the fixed protocol without one, and a table of
 * every variant's verdicts, then the commands to try next). The
 * story is the package's (see DemoScript in checker/package/package.ts); the checks
 * and the reporting are the commands' own.
 */
import { check } from '../checker/explore/bfs.js';
import { checkModelLiveness } from '../checker/liveness/liveness.js';
import type { Model, StepInfo } from '../checker/model/model.js';
import type { DemoSection } from '../checker/package/demo.js';
import { formatTrace } from '../traces/text.js';
import { type Trace, traceOf } from '../traces/trace.js';
import { EXIT, kebab } from './errors.js';
import { int, secs } from './format.js';
import type { Io } from './io.js';
import { buildModel, resolvePackage, type PackageSource } from './model.js';
import { statsLines, verdict } from './report.js';

/** The command line a section stands for, as the demo prints it. */
function commandOf(section: DemoSection): string {
  if (section.kind === 'table') return `dnsmc check --${kebab(section.over)} V --property all`;
  const flags = Object.entries(section.params).map(([k, v]) => `--${kebab(k)} ${String(v)}`);
  const props = section.kind === 'counterexample' ? section.properties.map((p) => `--property ${p}`) : [];
  return ['dnsmc check', ...flags, ...props].join(' ');
}

/** One row of verdicts for a model: each safety property's first violation, then liveness; with their names. */
function verdictCells(model: Model): { names: string[]; cells: string[]; states: number; ms: number } {
  const r = check(model, { continueAfterViolation: true });
  const names = [...r.properties];
  const cells = r.properties.map((p) => {
    const v = r.violations.find((x) => x.property === p);
    return v ? `VIOLATED (${v.schedule.length} steps)` : 'holds';
  });
  if ((model.liveness ?? []).length > 0) {
    for (const v of checkModelLiveness(model).verdicts) {
      names.push(v.property);
      if (v.status !== 'violated') cells.push(v.status);
      else if (v.stuck) cells.push(`VIOLATED (stuck after ${v.stuck.steps} steps)`);
      else cells.push(`VIOLATED (lasso ${v.lasso?.prefix.length} + loop ${v.lasso?.loop.length})`);
    }
  }
  return { names, cells, states: r.distinctStates, ms: r.durationMs };
}

/** Rows of cells as aligned columns, the first row a header underlined, each line indented by three spaces. */
export function alignedTable(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]): string => `   ${r.map((cell, c) => cell.padEnd(widths[c])).join('  ')}`.trimEnd();
  return [line(rows[0]), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)];
}

/** The steps of a trace as its model narrates them: action, actor, and the states before and after. */
function stepsOf(trace: Trace): StepInfo[] {
  return trace.steps.map((s, i) => ({
    action: s.action,
    role: s.role,
    actor: s.actor,
    before: i === 0 ? trace.initial : trace.steps[i - 1].state,
    after: s.state,
  }));
}

/** Tells one section; false when its figures did not come out as the story says. */
async function tell(src: PackageSource, section: DemoSection, say: (t?: string) => void): Promise<boolean> {
  if (section.kind === 'counterexample') {
    const model = await buildModel(src, section.params);
    const r = check(model, { properties: [...section.properties] });
    if (r.violations.length === 0) {
      say('   unexpected: no violation found');
      return false;
    }
    const trace = traceOf(model, r.violations[0]);
    say(formatTrace(trace, { render: model.render }));
    say('');
    say(verdict(r));
    if (section.rootCause) {
      say('');
      say(section.rootCause(stepsOf(trace)));
    }
    return true;
  }
  if (section.kind === 'check') {
    const r = check(await buildModel(src, section.params));
    say(verdict(r));
    for (const l of statsLines(r)) say(l);
    return r.status === 'ok';
  }
  const param = src.pkg.params.find((p) => p.name === section.over);
  if (param?.type !== 'enum') throw new Error(`demo of ${src.pkg.name}: table over ${section.over}, which is not an enum parameter`);
  const rows: string[][] = [];
  for (const value of param.values) {
    const { names, cells, states, ms } = verdictCells(await buildModel(src, { [section.over]: value }));
    if (rows.length === 0) rows.push([section.over, ...names, 'states', 'time']);
    rows.push([value, ...cells, int(states), secs(ms)]);
  }
  for (const l of alignedTable(rows)) say(l);
  return true;
}

/** Runs the default package's demo; exit code 0 when every figure came out as its story says. */
export async function runDemo(io: Io): Promise<number> {
  const say = (t = ''): void => io.out(`${t}\n`);
  const src = await resolvePackage(undefined);
  const demo = src.pkg.demo;
  if (!demo) {
    say(`dnsmc: model ${src.pkg.name} has no demo; try dnsmc check --help`);
    return EXIT.ok;
  }
  say(demo.title);
  if (demo.intro && demo.intro.length > 0) {
    say('');
    for (const l of demo.intro) say(l);
  }
  let ok = true;
  for (const [i, section] of demo.sections.entries()) {
    say('');
    say(`${i + 1}. ${section.heading}`);
    if (section.kind !== 'table') {
      say(`   ${commandOf(section)}`);
      say('');
    }
    ok = (await tell(src, section, say)) && ok;
  }
  if (demo.next && demo.next.length > 0) {
    say('');
    say('Next:');
    const width = Math.max(...demo.next.map((n) => n.command.length));
    for (const n of demo.next) say(`   ${n.command.padEnd(width)}  # ${n.shows}`);
  }
  return ok ? EXIT.ok : EXIT.violation;
}
