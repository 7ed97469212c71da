import { runStorm, type StormArgs } from '../../app/storm.js';
import { JSON_OPTION, modelOptions } from './model-options.js';
import type { Command } from './types.js';

export const stormCommand: Command = (io, run, source) => ({
  command: 'storm',
  describe: 'run the dns reference implementation for real (planner, concurrent enactors, a prober) on a private BIND 9; log every step',
  builder: (y) =>
    modelOptions(y, source.pkg)
      .option('duration', { type: 'string', describe: 'seconds to run [10]' })
      .option('seed', { type: 'string', describe: 'seed of the jitter [0]' })
      .option('slow-enactor', { type: 'string', describe: 'the enactor to slow down (with --delay)' })
      .option('delay', { type: 'string', describe: 'milliseconds the slow enactor waits before each of its lock attempts' })
      .option('out', { type: 'string', describe: 'a directory for the event logs, one JSON-lines file per component (docs/conformance.md)' })
      .option('json', JSON_OPTION)
      .epilog(
        'Exit codes: 0 the storm ran (the report says whether a name became unresolvable), 2 bad input or no server, 3 the server stopped answering during the storm, 130/143 stopped by SIGINT/SIGTERM (what ran is reported, the logs written).',
      ),
  handler: (a) => run(() => runStorm(a as StormArgs, io, source)),
});
