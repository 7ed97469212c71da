import { runTestSystem, TEST_SYSTEM_DEFAULTS, type TestSystemArgs } from '../../app/test-system.js';
import { JSON_OPTION, modelOptions } from './model-options.js';
import type { Command } from './types.js';

export const testSystemCommand: Command = (io, run, source) => ({
  command: 'test-system',
  describe: 'generate schedules of the model and perform each on the real system behind it (dns: a private BIND 9); shrink what diverges',
  builder: (y) =>
    modelOptions(y, source.pkg)
      .option('runs', { type: 'string', describe: `schedules to generate and perform [${TEST_SYSTEM_DEFAULTS.runs}]` })
      .option('seed', { type: 'string', describe: `seed, 0 to 4294967295; the same seed gives the same schedules [${TEST_SYSTEM_DEFAULTS.seed}]` })
      .option('depth', { type: 'string', describe: `most steps per schedule [${TEST_SYSTEM_DEFAULTS.depth}]` })
      .option('impl', {
        type: 'string',
        describe: `the implementation to test${(source.pkg.system?.implementations ?? []).map((i) => `; ${i.name}: ${i.help}`).join('')}`,
      })
      .option('property', { type: 'string', array: true, describe: 'check only this property on the real system (repeatable) [all safety properties]' })
      .option('json', JSON_OPTION)
      .option('trace-out', { type: 'string', describe: 'write the shrunk failing schedule as a trace, with what the system held after each step' })
      .epilog(
        'Exit codes: 0 every run followed the model and every property held, 1 a property broke on the real system, 2 bad input or no system, 4 the system diverged from the model, 130/143 stopped by SIGINT/SIGTERM (the runs done are reported).',
      ),
  handler: (a) => run(() => runTestSystem(a as TestSystemArgs, io, source)),
});
