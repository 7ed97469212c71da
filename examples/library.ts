/**
 * dnsmc as a library: check a model exhaustively, simulate a bigger
 * configuration, and replay a counterexample under the fix.
 *
 * Run it (after `npm ci`): npx tsx examples/library.ts
 */
import { check, dnsModel, formatTrace, replay, simulate, traceOf } from 'dnsmc';

// 1. Every interleaving of the as-was protocol: the shortest race.
const asWas = dnsModel({ variant: 'as-was' });
const result = check(asWas, { properties: ['aliasResolves'] });
if (result.status !== 'violation') throw new Error('expected the race');
const race = result.violations[0];
console.log(formatTrace(traceOf(asWas, race), { render: asWas.render }));

// 2. A configuration too big to search quickly: random walks, shrunk on failure.
const big = dnsModel({ variant: 'as-was', plans: 8, endpoints: 3, enactors: 4 });
const sim = simulate(big, { runs: 2000, seed: 1, properties: ['aliasResolves'] });
for (const v of sim.violations) {
  console.log(`\nsimulate: ${v.property} broken in run ${v.run} after ${v.found.length} steps, shrunk to ${v.schedule.length}`);
}
console.log(`simulate: ${sim.runs} runs, ${sim.steps} steps, ${sim.distinctStates} distinct states`);

// 3. The race's schedule under the fixed protocol: where does it stop?
const fixed = dnsModel({ variant: 'fixed' });
const again = replay(
  fixed,
  fixed.init[0],
  race.schedule.map((t) => ({ action: t.name, actor: t.actor })),
);
console.log(again.failure ? `fixed: the race stops at step ${again.failure.step}: ${again.failure.reason}` : 'fixed: the race replays in full');
