import type { Command } from './types.js';

export const demoCommand: Command = (io, run) => ({
  command: '$0',
  describe: 'run the postmortem demo: the as-was race, then the fix',
  handler: () => run(async () => (await import('../../app/demo.js')).runDemo(io)),
});
