import type { CheckArgs } from '../../app/check.js';
import { JSON_OPTION, MAX_MEMORY_OPTION, modelOptions, numberOption, scenarioOptions, TIME_LIMIT_OPTION } from './model-options.js';
import type { Command } from './types.js';

export const checkCommand: Command = (io, run, source) => ({
  command: 'check',
  describe: 'explore every interleaving of the model and check its properties',
  builder: (y) =>
    scenarioOptions(modelOptions(y, source.pkg), source.pkg)
      .option('property', {
        type: 'string',
        array: true,
        describe: 'check only this property (repeatable); all: every property incl. liveness, as a table [safety properties]',
      })
      .option('fairness', { type: 'string', describe: "fairness for liveness properties: weak|strong|none [the model's own]" })
      .option('continue', { type: 'boolean', describe: 'keep exploring; report the shortest violation of each property' })
      .option('deadlock', { type: 'boolean', default: true, describe: 'report deadlocks (--no-deadlock to skip)' })
      .option('max-states', numberOption('stop (incomplete) after this many distinct states'))
      .option('max-depth', numberOption('do not expand states at this depth'))
      .option('time-limit', TIME_LIMIT_OPTION)
      .option('max-memory', MAX_MEMORY_OPTION)
      .option('expect-states', numberOption("size the visited set for this many states up front (as Spin's -w): no pauses to grow it"))
      .option('workers', numberOption('threads to search with, 1 to 64 [the number of cores]'))
      .option('symmetry', { type: 'boolean', describe: 'store one state per renaming of interchangeable actors' })
      .option('profile', { type: 'boolean', describe: 'report where the time went: milliseconds per phase, per layer and per thread (safety checks)' })
      .option('swarm', {
        type: 'string',
        describe: 'run shard i of N (i/N) of a swarm: a depth-first bitstate search with its own hash functions and search order; combine with dnsmc merge',
      })
      .option('bitstate', numberOption('MiB of the bit array a --swarm shard stores states in, 1 to 16383 [64]'))
      .option('seed', numberOption('--swarm: the job seed, 0 to 4294967295; shards derive their hash functions and orders from it [0]'))
      .option('json', JSON_OPTION)
      .option('trace-out', { type: 'string', describe: 'write the counterexample trace (JSON) to this file' })
      .option('view', { type: 'string', describe: 'write the trace viewer (one HTML file) for the counterexample to this file' })
      .option('out-itf', { type: 'string', describe: 'write the counterexample as ITF (the Informal Trace Format, as export --format itf) to this file' })
      .epilog('Exit codes: 0 no violation, 1 violation or deadlock, 2 bad usage or input, 3 incomplete.'),
  handler: (a) => run(async () => (await import('../../app/check.js')).runCheck(a as CheckArgs, io, source)),
});
