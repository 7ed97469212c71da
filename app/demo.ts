/**
 * `dnsmc` with no arguments: the postmortem demo. It finds the October 2025
 * race in the as-was protocol, shows that the fixed protocol has none, and
 * ends with one line per variant.
 */
import { check } from '../checker/bfs.js';
import { checkModelLiveness } from '../checker/liveness.js';
import { dnsModel } from '../models/dns/model.js';
import { VARIANT_NAMES } from '../models/dns/params.js';
import { formatTrace } from '../traces/text.js';
import { traceOf } from '../traces/trace.js';
import { EXIT } from './errors.js';
import { int, secs } from './format.js';
import type { Io } from './io.js';
import { statsLines, verdict } from './check.js';

/** Runs the demo; exit code 0 when every figure came out as the postmortem says. */
export async function runDemo(io: Io): Promise<number> {
  const say = (t = ''): void => io.out(`${t}\n`);
  say('dnsmc: the DNS race behind the October 2025 DynamoDB outage (us-east-1)');
  say('');
  say('1. The protocol as it was, checked against "the top alias never resolves to empty":');
  say('   dnsmc check --variant as-was --property aliasResolves');
  say('');
  const asWas = dnsModel({ variant: 'as-was' });
  const race = check(asWas, { properties: ['aliasResolves'] });
  if (race.violations.length === 0) {
    say('   unexpected: no violation found');
    return EXIT.violation;
  }
  say(formatTrace(traceOf(asWas, race.violations[0]), { render: asWas.render }));
  say('');
  say(verdict(race));
  say('');
  say('2. The fixed protocol (recheck the plan under the lock; cleanup spares the active plan), every property:');
  say('   dnsmc check --variant fixed');
  say('');
  const fixed = check(dnsModel({ variant: 'fixed' }));
  say(verdict(fixed));
  for (const l of statsLines(fixed)) say(l);
  say('');
  say('3. Every variant, every property (first violation of each, shortest; liveness under weak fairness per enactor):');
  for (const variant of VARIANT_NAMES) {
    const model = dnsModel({ variant });
    const r = check(model, { continueAfterViolation: true });
    const cells = r.properties.map((p) => {
      const v = r.violations.find((x) => x.property === p);
      return v ? `${p} VIOLATED (${v.schedule.length} steps)` : `${p} holds`;
    });
    const live = checkModelLiveness(model);
    for (const v of live.verdicts) {
      if (v.status !== 'violated') cells.push(`${v.property} ${v.status}`);
      else if (v.stuck) cells.push(`${v.property} VIOLATED (stuck after ${v.stuck.steps} steps)`);
      else cells.push(`${v.property} VIOLATED (lasso ${v.lasso?.prefix.length} + loop ${v.lasso?.loop.length})`);
    }
    say(`   ${variant.padEnd(18)} ${cells.join(', ')}; ${int(r.distinctStates)} states, ${secs(r.durationMs)}`);
  }
  return fixed.status === 'ok' ? EXIT.ok : EXIT.violation;
}
