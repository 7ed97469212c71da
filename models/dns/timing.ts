/**
 * The dns package's default timing profile: the storm's defaults
 * (systems/dns/storm.ts), so that the timed simulation (`dnsmc risk`) and
 * a storm on a private BIND 9 can be compared.
 *
 *  - publishPlan: the planner waits 15 ms times 0.5 to 1.5 between plans:
 *    uniform 7.5..22.5 ms (writing the plan file is far shorter).
 *  - pickPlan: an idle enactor polls every 2 to 5 ms, each poll one DNS read
 *    of about 1 ms, and picks a plan at its next poll: uniform 0.5..5.5 ms.
 *  - acquireLock and flipAlias: one DNS update on a local server: lognormal
 *    around 1 ms (sigma 0.5: a few in a hundred take over 2 ms). An assumed
 *    figure; `dnsmc risk --calibrate` derives measured ones from storm logs.
 *  - buildTree: a read and an update: lognormal around 2 ms.
 *  - retryLock: the backoff, 2 ms * 2^failures plus jitter uniform 0..2 ms.
 *  - cleanupPlans: the change settles 40 ms times 0.5 to 1.5 before the
 *    cleanup, plus about a millisecond of deletes: uniform 21..61 ms.
 *  - slow: enactor 0 waits before each of its lock attempts (the storm's
 *    `--fault slow:enactor:0:MS`); 0 ms by default, `--slow-ms` sets it.
 */
import type { TimingProfile } from '../../checker/package/timing.js';

/** A DNS exchange with a local server (ms). */
const TRANSACTION = { dist: 'lognormal', median: 1, sigma: 0.5 } as const;

export const DNS_TIMING: TimingProfile = {
  format: 'dnsmc-timing-profile',
  version: 1,
  model: 'dns',
  unit: 'ms',
  actions: {
    publishPlan: { dist: 'uniform', min: 7.5, max: 22.5 },
    pickPlan: { dist: 'uniform', min: 0.5, max: 5.5 },
    acquireLock: TRANSACTION,
    retryLock: { dist: 'uniform', min: 0, max: 2 },
    buildTree: { dist: 'lognormal', median: 2, sigma: 0.5 },
    flipAlias: TRANSACTION,
    cleanupPlans: { dist: 'uniform', min: 21, max: 61 },
  },
  slow: { role: 'enactor', actor: 0, actions: ['acquireLock'], extra: { dist: 'fixed', ms: 0 } },
  backoff: { retryLock: { baseMs: 2, field: 'failures' } },
  source: "default: the storm's defaults (systems/dns/storm.ts), a DNS transaction on a local server assumed lognormal around 1 ms",
};
