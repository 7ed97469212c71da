import type { ExportArgs } from '../../app/export.js';
import { EXPORT_FORMATS } from '../../app/command-defaults.js';
import { numberOption, TRACE_MODEL_OPTION } from './model-options.js';
import type { Command } from './types.js';

export const exportCommand: Command = (io, run) => ({
  command: 'export <trace>',
  describe: 'export a trace as a markdown table, a mermaid sequence diagram, ITF (Apalache/Quint) or the drawing of a step (svg)',
  builder: (y) =>
    y
      .positional('trace', { type: 'string', describe: 'a trace file (from check --trace-out)' })
      .option('format', { type: 'string', describe: `${EXPORT_FORMATS.join('|')}` })
      .option('step', numberOption('for svg: the step whose state is drawn (0 the initial state; default the last)'))
      .option('out', { type: 'string', describe: 'write to this file (atomically) instead of stdout' })
      .option('model', TRACE_MODEL_OPTION)
      .epilog('Exit codes: 0 exported, 2 bad usage or input.'),
  handler: (a) => run(async () => (await import('../../app/export.js')).runExport(a as ExportArgs, io)),
});
