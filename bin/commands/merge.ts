import type { MergeArgs } from '../../app/merge.js';
import { JSON_OPTION } from './model-options.js';
import type { Command } from './types.js';

export const mergeCommand: Command = (io, run) => ({
  command: 'merge <files..>',
  describe: 'combine the JSON reports of simulate --swarm shards into the whole job’s result',
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, describe: 'shard reports (dnsmc simulate --swarm i/N --json > FILE)' })
      .option('json', JSON_OPTION)
      .option('trace-out', { type: 'string', describe: 'write the shortest violation’s trace (JSON) to this file' })
      .option('model', {
        type: 'string',
        describe: 'the user model module the shards were made with (their traces are checked against it; dnsmc never loads code a file names)',
      })
      .epilog('Exit codes: 0 no violation, 1 violation or deadlock, 2 bad usage or input, 3 shards missing or incomplete.'),
  handler: (a) => run(async () => (await import('../../app/merge.js')).runMerge(a as MergeArgs, io)),
});
