import type { TestSystemArgs } from '../../app/test-system.js';
import { TEST_SYSTEM_DEFAULTS } from '../../app/command-defaults.js';
import { JSON_OPTION, modelOptions, numberOption, systemOptions } from './model-options.js';
import type { Command } from './types.js';

export const testSystemCommand: Command = (io, run, source) => ({
  command: 'test-system',
  describe: 'generate schedules of the model and perform each on the real system behind it (any implementation, through a driver); shrink what diverges',
  builder: (y) =>
    systemOptions(modelOptions(y, source.pkg), source.pkg, 'test-system')
      .option('runs', numberOption(`schedules to generate and perform [${TEST_SYSTEM_DEFAULTS.runs}]`))
      .option('seed', numberOption(`seed, 0 to 4294967295; the same seed gives the same schedules [${TEST_SYSTEM_DEFAULTS.seed}]`))
      .option('depth', numberOption(`most steps per schedule [${TEST_SYSTEM_DEFAULTS.depth}]`))
      .option('property', { type: 'string', array: true, describe: 'check only this property on the real system (repeatable) [all safety properties]' })
      .option('json', JSON_OPTION)
      .option('trace-out', { type: 'string', describe: 'write the shrunk failing schedule as a trace, with what the system held after each step' })
      .epilog(
        'Exit codes: 0 every run followed the model and every property held, 1 a property broke on the real system, 2 bad input or no system, 4 the system diverged from the model, 5 the driver exited, 6 the driver gave no reply in time, 7 the driver replied what its protocol does not allow, 130/143 stopped by SIGINT/SIGTERM (the runs done are reported).',
      ),
  handler: (a) => run(async () => (await import('../../app/test-system.js')).runTestSystem(a as TestSystemArgs, io, source)),
});
