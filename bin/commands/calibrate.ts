import { runCalibrate, type CalibrateArgs } from '../../app/calibrate.js';
import { JSON_OPTION, modelOptions } from './model-options.js';
import type { Command } from './types.js';

// Temporary wiring: `dnsmc risk --calibrate` is to take this over (the same runCalibrate).
export const calibrateCommand: Command = (io, run, source) => ({
  command: 'calibrate <logs..>',
  describe: "derive a timing profile (the timed simulation's --timing file) from the event logs of storms (dnsmc storm --out DIR)",
  builder: (y) =>
    modelOptions(y, source.pkg)
      .positional('logs', { type: 'string', array: true, describe: 'storm log folders (each one run), or log files (those of one folder are one run)' })
      .option('out', { type: 'string', describe: 'the file the timing profile is written to (JSON, written atomically)' })
      .option('json', JSON_OPTION)
      .epilog('Exit codes: 0 the profile is written, 2 bad input (a log line, named by file and line; an action without samples).'),
  handler: (a) => run(() => runCalibrate(a as CalibrateArgs, io, source)),
});
