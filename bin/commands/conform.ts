import type { ConformArgs } from '../../app/conform.js';
import { CONFORM_DEFAULTS } from '../../app/command-defaults.js';
import { JSON_OPTION, MAX_MEMORY_OPTION, modelOptions, systemOptions, TIME_LIMIT_OPTION } from './model-options.js';
import type { Command } from './types.js';

export const conformCommand: Command = (io, run, source) => ({
  command: 'conform <logs..>',
  describe: 'decide whether event logs (JSON lines, docs/conformance.md) are a behaviour of the model',
  builder: (y) =>
    systemOptions(modelOptions(y, source.pkg), source.pkg, 'conform')
      .positional('logs', { type: 'string', array: true, describe: 'log files: one JSON event per line' })
      .option('skew', {
        type: 'string',
        describe: `the processes' clocks agree to within this many milliseconds, or none (only each process's own order counts: the search may grow exponentially with independent processes) [${CONFORM_DEFAULTS.skewMs}]`,
      })
      .option('initial', {
        type: 'string',
        describe: "the state the logs begin at: a file holding a state in the model's JSON form (as traces write states; the package renumbers it as the logs)",
      })
      .option('initial-from-server', {
        type: 'boolean',
        describe: "the logs begin at the running system's state, read by the package's system adapter (its flags below say where)",
      })
      .option('state-out', { type: 'string', describe: 'when the logs conform: write the state after the last event (a snapshot to go on from)' })
      .option('trace-out', {
        type: 'string',
        describe: 'when they diverge: write the longest explained prefix, with the event named, as a trace (dnsmc view opens it)',
      })
      .option('time-limit', TIME_LIMIT_OPTION)
      .option('max-memory', MAX_MEMORY_OPTION)
      .option('json', JSON_OPTION)
      .epilog(
        'Exit codes: 0 the events conform, 2 bad input (the file and line are named), 3 incomplete (a limit stopped it: what was explained so far is reported), 4 an event no model step explains.',
      ),
  handler: (a) => run(async () => (await import('../../app/conform.js')).runConform(a as ConformArgs, io, source)),
});
