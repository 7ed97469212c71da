/**
 * The defaults `dnsmc risk` states in its help, apart from the command
 * itself (app/risk.ts), so that wiring the command line does not load the
 * timed simulation.
 */
export const RISK_DEFAULTS = {
  horizonS: 3600,
  runs: 100,
  assertRuns: 100_000,
  seed: 0,
  confidence: 0.95,
  alpha: 0.05,
  beta: 0.05,
  indifference: 0.5,
};

/** The timing parameter `--sweep` takes besides the model's whole-number parameters. */
export const SLOW_PARAM = 'slow-ms';

/** Most states the search before a sequential test stores; past them the test runs on its own. */
export const PROOF_STATES = 4_000_000;
