/**
 * `dnsmc` with no command: the default package's demo (for the built-in
 * `dns` package, the postmortem: the October 2025 race in the as-was
 * protocol, the fixed protocol without one, and one line per variant). The
 * story is the package's (see DemoScript in checker/package/package.ts); the checks
 * and the reporting are the commands' own.
 */
import { check } from '../checker/explore/bfs.js';
import { checkModelLiveness } from '../checker/liveness/liveness.js';
import type { Model } from '../checker/model/model.js';
import type { DemoSection } from '../checker/package/demo.js';
import { formatTrace } from '../traces/text.js';
import { traceOf } from '../traces/trace.js';
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

/** One line of verdicts for a model: each safety property's first violation, then liveness. */
function verdictCells(model: Model): { cells: string[]; states: number; ms: number } {
  const r = check(model, { continueAfterViolation: true });
  const cells = r.properties.map((p) => {
    const v = r.violations.find((x) => x.property === p);
    return v ? `${p} VIOLATED (${v.schedule.length} steps)` : `${p} holds`;
  });
  if ((model.liveness ?? []).length > 0) {
    for (const v of checkModelLiveness(model).verdicts) {
      if (v.status !== 'violated') cells.push(`${v.property} ${v.status}`);
      else if (v.stuck) cells.push(`${v.property} VIOLATED (stuck after ${v.stuck.steps} steps)`);
      else cells.push(`${v.property} VIOLATED (lasso ${v.lasso?.prefix.length} + loop ${v.lasso?.loop.length})`);
    }
  }
  return { cells, states: r.distinctStates, ms: r.durationMs };
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
    say(formatTrace(traceOf(model, r.violations[0]), { render: model.render }));
    say('');
    say(verdict(r));
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
  for (const value of param.values) {
    const { cells, states, ms } = verdictCells(await buildModel(src, { [section.over]: value }));
    say(`   ${value.padEnd(18)} ${cells.join(', ')}; ${int(states)} states, ${secs(ms)}`);
  }
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
  return ok ? EXIT.ok : EXIT.violation;
}
