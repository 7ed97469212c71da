import type { StormArgs } from '../../app/storm.js';
import { faultOptions, JSON_OPTION, modelOptions, numberOption, systemOptions } from './model-options.js';
import type { Command } from './types.js';

export const stormCommand: Command = (io, run, source) => {
  const workload = source.pkg.system?.workload;
  return {
    command: 'storm',
    describe: `run the real system behind the model with real timing${workload ? ` (${source.pkg.name}: ${workload.help})` : ''}`,
    builder: (y) =>
      faultOptions(systemOptions(modelOptions(y, source.pkg), source.pkg, 'storm'), source.pkg)
        .option('duration', numberOption('seconds to run [10]'))
        .option('seed', numberOption('seed of the jitter [0]'))
        .option('delay', numberOption('milliseconds the slowed actor waits before each of its contended steps'))
        .option('out', { type: 'string', describe: 'a directory for the event logs, one JSON-lines file per component (docs/conformance.md)' })
        .option('fail-on-loss', { type: 'boolean', describe: 'exit 1 when a public name was unavailable at some point (a CI gate)' })
        .option('json', JSON_OPTION)
        .epilog(
          'Exit codes: 0 the storm ran (the report says whether a name became unavailable), 1 with --fail-on-loss a name was unavailable at some point, 2 bad input or no server, 3 the server stopped answering during the storm, 130/143 stopped by SIGINT/SIGTERM (what ran is reported, the logs written).',
        ),
    handler: (a) => run(async () => (await import('../../app/storm.js')).runStorm(a as StormArgs, io, source)),
  };
};
