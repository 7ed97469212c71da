import type { ViewArgs } from '../../app/view.js';
import { TRACE_MODEL_OPTION } from './model-options.js';
import type { Command } from './types.js';

export const viewCommand: Command = (io, run) => ({
  command: 'view <trace>',
  describe: 'write a self-contained HTML page that walks through a trace',
  builder: (y) =>
    y
      .positional('trace', { type: 'string', describe: 'a trace file (from check --trace-out or replay --trace-out)' })
      .option('compare', { type: 'string', describe: 'a second trace, shown side by side, aligned by step' })
      .option('out', { type: 'string', describe: 'the HTML file to write [TRACE with .html]' })
      .option('model', TRACE_MODEL_OPTION)
      .epilog('Exit codes: 0 page written, 2 bad usage or input.'),
  handler: (a) => run(async () => (await import('../../app/view.js')).runView(a as ViewArgs, io)),
});
