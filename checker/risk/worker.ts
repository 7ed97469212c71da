/**
 * A worker thread of the timed simulation (runner.ts): it rebuilds the model
 * from its origin, then runs the batches of run numbers it is sent and
 * answers with their outcomes, in order.
 */
import { parentPort } from 'node:worker_threads';
import { modelFromOrigin } from '../model/origin.js';
import type { ModelOrigin } from '../model/model.js';
import type { TimingProfile } from '../package/timing.js';
import { TimedSim, type RunOutcome, type TimedOptions } from './timed.js';

/** What the coordinator sends. */
export type ToRiskWorker =
  | {
      readonly kind: 'start';
      readonly origin: ModelOrigin;
      readonly profile: TimingProfile;
      readonly options: TimedOptions;
      readonly seed: number;
      readonly keepBroken: boolean;
    }
  | { readonly kind: 'runs'; readonly from: number; readonly to: number };

/** What a worker answers. */
export type FromRiskWorker =
  | { readonly kind: 'outcomes'; readonly outcomes: RunOutcome[] }
  | { readonly kind: 'error'; readonly message: string; readonly name: string };

const port = parentPort;
if (port) {
  let ready: Promise<{ sim: TimedSim; seed: number; keepBroken: boolean }> | undefined;
  port.on('message', (m: ToRiskWorker) => {
    if (m.kind === 'start') {
      ready = modelFromOrigin(m.origin).then((model) => ({ sim: new TimedSim(model, m.profile, m.options), seed: m.seed, keepBroken: m.keepBroken }));
      ready.catch((e: Error) => port.postMessage({ kind: 'error', message: e.message, name: e.name } satisfies FromRiskWorker));
      return;
    }
    void ready
      ?.then(({ sim, seed, keepBroken }) => {
        const outcomes: RunOutcome[] = [];
        for (let r = m.from; r < m.to; r++) {
          const o = sim.run(seed, r);
          outcomes.push(keepBroken ? o : { ...o, broken: null });
        }
        port.postMessage({ kind: 'outcomes', outcomes } satisfies FromRiskWorker);
      })
      .catch((e: Error) => port.postMessage({ kind: 'error', message: e.message, name: e.name } satisfies FromRiskWorker));
  });
}
