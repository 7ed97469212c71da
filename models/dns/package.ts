/**
 * The `dns` model package: the planner/enactor protocol's parameters, the
 * model, the `slow-enactor` scheduler, the picture of each endpoint's
 * Route 53 records for the viewer, the real system (a BIND 9 server driven by
 * an implementation behind the driver protocol) and the postmortem demo. This is what
 * dnsmc loads for the built-in model (see models/index.ts).
 */
import { definePackage } from '../../checker/package/define.js';
import type { SystemAdapter } from '../../checker/package/system.js';
import { DNS_FLAGS, dnsOptions, STORM_FAULTS, STORM_HELP, type DnsSystemOptions } from '../../systems/dns/flags.js';
import { DNS_IMPLEMENTATIONS } from '../../systems/dns/implementations.js';
import { renumberPlans } from '../../systems/dns/renumber.js';
import { calibrateDns } from '../../systems/dns/calibrate.js';
import { dnsRootCause } from './demo.js';
import { dnsModel } from './model.js';
import { dnsPresentation } from './picture.js';
import { DNS_PARAMS } from './params.js';
import { DNS_CONSTRAINTS, DNS_SCENARIOS } from './scenarios.js';
import { DNS_TIMING } from './timing.js';

/**
 * The real system behind the model: the implementation (the reference one,
 * a drifted one, or a team's own behind a driver: docs/drivers.md) against
 * a private BIND 9 or the user's server (systems/dns/, docs/real-dns.md),
 * its flags, and its real-timing workload (the storm). The DNS client is
 * loaded only when used, so that checking the model never loads it.
 */
const dnsSystem: SystemAdapter<DnsSystemOptions> = {
  flags: DNS_FLAGS,
  options: dnsOptions,
  start: async (model, options) => (await import('../../systems/dns/adapter.js')).dnsSystem.start(model, options),
  implementations: DNS_IMPLEMENTATIONS,
  snapshot: async (model, options) => (await import('../../systems/dns/adapter.js')).snapshot(model, options),
  normaliseLogs: renumberPlans,
  calibrate: (runs) => calibrateDns(runs),
  workload: {
    help: STORM_HELP,
    faults: STORM_FAULTS,
    run: async (model, options, run) => (await import('../../systems/dns/storm.js')).stormWorkload.run(model, options, run),
  },
};

export const dnsPackage = definePackage({
  name: 'dns',
  description: 'the DNS planner/enactor protocol behind the October 2025 DynamoDB outage',
  params: DNS_PARAMS,
  createModel: (params) => dnsModel(params),
  presentation: dnsPresentation,
  scenarios: DNS_SCENARIOS,
  constraints: DNS_CONSTRAINTS,
  system: dnsSystem,
  // Worst first: the top alias resolving to nothing is the outage itself (the endpoint's name answers
  // NXDOMAIN); two enactors holding one endpoint's lock is the mechanism that can lead there; a rollback
  // to an older plan is stale but still resolves.
  severity: ['aliasResolves', 'lockExclusive', 'noRollback'],
  // How long each step takes, for the timed simulation (dnsmc risk): the storm's defaults.
  timing: DNS_TIMING,
  schedulers: [
    // The postmortem: "one enactor experienced unusually high delays".
    { name: 'slow-enactor', help: 'enactor 0 is rarely scheduled (it falls behind, as in the postmortem)', slow: { role: 'enactor', actor: 0 } },
  ],
  demo: {
    title: 'dnsmc: the DNS race behind the October 2025 DynamoDB outage (us-east-1)',
    intro: [
      'The planner publishes numbered plans: each is the set of IP addresses an endpoint should answer with.',
      'Enactors (three, independent) each pick up the newest plan, check once that it is the newest, then install it.',
      "Installing means building the plan's tree of records, then pointing the endpoint's top alias (its DNS name) at that tree.",
      'After installing, an enactor cleans up: it deletes the trees of plans much older than its own, as stale.',
    ],
    sections: [
      {
        kind: 'counterexample',
        heading: 'The protocol as it was, checked against "the top alias never resolves to empty":',
        params: { variant: 'as-was' },
        properties: ['aliasResolves'],
        rootCause: dnsRootCause,
      },
      {
        kind: 'check',
        heading: 'The fixed protocol (recheck the plan under the lock; cleanup spares the active plan), every safety property:',
        params: { variant: 'fixed' },
      },
      {
        kind: 'table',
        heading: 'Every variant, every property (first violation of each, shortest; liveness under weak fairness per enactor):',
        over: 'variant',
      },
    ],
    next: [
      { command: 'dnsmc check --property aliasResolves --trace-out race.json --view race.html', shows: 'the race as a page to step through (open race.html)' },
      { command: 'dnsmc reenact race.json', shows: 'the same 12 steps on a real BIND 9 server: the name answers NXDOMAIN' },
      { command: 'dnsmc explain race.json', shows: 'which orderings of the steps the outage depends on' },
    ],
  },
});
