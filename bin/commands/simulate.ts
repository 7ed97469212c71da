import type { SimulateArgs } from '../../app/simulate.js';
import { schedulerNames, SIMULATE_DEFAULTS } from '../../app/command-defaults.js';
import { JSON_OPTION, modelOptions, numberOption, scenarioOptions } from './model-options.js';
import type { Command } from './types.js';

export const simulateCommand: Command = (io, run, source) => ({
  command: 'simulate',
  describe: 'run random walks over the model, checking every property at every step; shrink what breaks',
  builder: (y) =>
    scenarioOptions(modelOptions(y, source.pkg), source.pkg)
      .option('runs', numberOption(`random walks to run [${SIMULATE_DEFAULTS.runs}]`))
      .option('depth', numberOption(`most steps per walk [${SIMULATE_DEFAULTS.depth}]`))
      .option('seed', numberOption(`seed, 0 to 4294967295; the same seed gives the same walks [${SIMULATE_DEFAULTS.seed}]`))
      .option('scheduler', {
        type: 'string',
        describe: `${schedulerNames(source.pkg).join('|')}: uniform among enabled steps${(source.pkg.schedulers ?? []).map((s) => `; ${s.name}: ${s.help}`).join('')} [uniform]`,
      })
      .option('property', { type: 'string', array: true, describe: 'check only this property (repeatable) [all]' })
      .option('deadlock', { type: 'boolean', default: true, describe: 'report walks that end in a deadlock (--no-deadlock to skip)' })
      .option('swarm', { type: 'string', describe: 'run shard i of N (i/N, 1 <= i <= N) with its own seed and search variation; combine with dnsmc merge' })
      .option('time-limit', numberOption('stop (incomplete) after this many seconds'))
      .option('json', JSON_OPTION)
      .option('trace-out', { type: 'string', describe: 'write the (shrunk) counterexample trace (JSON) to this file' })
      .option('out-itf', {
        type: 'string',
        describe: 'write the (shrunk) counterexample as ITF (the Informal Trace Format, as export --format itf) to this file',
      })
      .epilog('Exit codes: 0 no violation, 1 violation or deadlock, 2 bad usage or input, 3 incomplete.'),
  handler: (a) => run(async () => (await import('../../app/simulate.js')).runSimulate(a as SimulateArgs, io, source)),
});
