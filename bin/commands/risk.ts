import type { RiskArgs } from '../../app/risk.js';
import { PROOF_STATES, RISK_DEFAULTS, SLOW_PARAM } from '../../app/risk-defaults.js';
import { JSON_OPTION, modelOptions, numberOption, scenarioOptions } from './model-options.js';
import type { Command } from './types.js';

export const riskCommand: Command = (io, run, source) => ({
  command: 'risk',
  describe: 'how likely each property is to break: a timed simulation in virtual time, with confidence intervals, sequential tests and sweeps',
  builder: (y) =>
    scenarioOptions(modelOptions(y, source.pkg), source.pkg)
      .option('timing', { type: 'string', describe: `a timing profile (JSON, docs/risk.md) [the package's${source.pkg.timing ? '' : ': none'}]` })
      .option(SLOW_PARAM, numberOption("the slow actor's extra delay in ms before each of its slowed steps (fixed) [the profile's]"))
      .option('horizon', numberOption(`simulated seconds per run [${RISK_DEFAULTS.horizonS}]`))
      .option('runs', numberOption(`runs per variant and point [${RISK_DEFAULTS.runs}; with --assert-below, at most ${RISK_DEFAULTS.assertRuns}]`))
      .option('seed', numberOption(`seed, 0 to 4294967295; the same seed gives the same runs [${RISK_DEFAULTS.seed}]`))
      .option('confidence', numberOption(`confidence level of the intervals [${RISK_DEFAULTS.confidence}]`))
      .option('property', { type: 'string', array: true, describe: 'follow only this safety property (repeatable) [all]' })
      .option('workers', numberOption('worker threads [the number of cores]'))
      .option('time-limit', numberOption('stop after this many seconds (incomplete: exit 3)'))
      .option('assert-below', numberOption('sequential test: exit 0 when P(the property breaks within the horizon) is below this, 1 when above, 3 undecided'))
      .option('alpha', numberOption(`the test's chance of deciding "above" when below [${RISK_DEFAULTS.alpha}]`))
      .option('beta', numberOption(`the test's chance of deciding "below" when above [${RISK_DEFAULTS.beta}]`))
      .option('indifference', numberOption(`half-width of the indifference region, relative to --assert-below's P [${RISK_DEFAULTS.indifference}]`))
      .option('prove', {
        type: 'boolean',
        describe: `with --assert-below: first search the untimed model (up to ${PROOF_STATES.toLocaleString('en-US')} states); if no reachable state breaks the property, P = 0 and no run is needed [true; --no-prove: the test alone]`,
      })
      .option('sweep', { type: 'string', describe: `PARAM=FROM:TO:STEP: every value of ${SLOW_PARAM} or a whole-number model parameter` })
      .option('chart', { type: 'string', describe: 'what the sweep chart shows: probability|unavailability [probability]' })
      .option('csv', { type: 'string', describe: 'write the sweep table as CSV to this file' })
      .option('svg', { type: 'string', describe: 'write the sweep chart as SVG to this file' })
      .option('html', { type: 'string', describe: 'write the sweep chart as an offline HTML page to this file' })
      .option('out-dir', { type: 'string', describe: 'write every run that broke a property as a trace (dnsmc view opens it) into this folder' })
      .option('calibrate', {
        type: 'string',
        array: true,
        describe: 'instead of estimating: derive a timing profile (a --timing file) from these storm log folders or files (dnsmc storm --out DIR); needs --out',
      })
      .option('out', { type: 'string', describe: 'with --calibrate: the file the timing profile is written to (JSON, written atomically)' })
      .option('json', JSON_OPTION)
      .epilog(
        'Exit codes: 0 done (with --assert-below: below P everywhere; with --calibrate: the profile is written), 1 with --assert-below: above P for some variant, 2 bad usage or input, 3 stopped by --time-limit, or --assert-below undecided within --runs.',
      ),
  handler: (a) => run(async () => (await import('../../app/risk.js')).runRisk(a as RiskArgs, io, source)),
});
