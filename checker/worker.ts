/**
 * A worker thread of the parallel search: it rebuilds the model from its
 * origin and runs one searcher (search.ts) on the coordinator's commands.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Model } from './model.js';
import { validateModel } from './model.js';
import { resolveOptions } from './options.js';
import type { FromWorker, ToWorker, WorkerData } from './parallel.js';
import { LayerSearch } from './search.js';

const data = workerData as WorkerData;
const port = parentPort!;
const send = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

async function main(): Promise<void> {
  const mod = (await import(data.origin.module)) as Record<string, unknown>;
  const make = mod[data.origin.export];
  if (typeof make !== 'function') throw new Error(`${data.origin.module} exports no function ${data.origin.export}`);
  const model = make(...data.origin.args) as Model;
  validateModel(model);
  const opts = resolveOptions(model, data.options);
  // This thread's clock, aligned with the coordinator's start.
  const start = performance.now() - (Date.now() - data.startEpochMs);
  const s = new LayerSearch(model, opts, data.workers, data.self, new Int32Array(data.ctl), start);
  port.on('message', (msg: ToWorker) => {
    try {
      switch (msg.cmd) {
        case 'seed':
          s.seedInitial();
          s.endLayer();
          send({ kind: 'seeded', frontier: s.frontier.length / s.W, violations: s.violations.length });
          break;
        case 'expand': {
          s.expandLayer();
          const outbox = s.outbox.map((b) => b.take());
          send({ kind: 'expanded', outbox, violations: s.violations.length }, outbox.map((b) => b.buffer as ArrayBuffer));
          break;
        }
        case 'absorb':
          for (const box of msg.boxes) s.absorb(box);
          s.endLayer();
          send({ kind: 'absorbed', frontier: s.frontier.length / s.W, violations: s.violations.length });
          break;
        case 'finish': {
          send(
            {
              kind: 'finished',
              violations: s.violations,
              distinct: s.seen.size,
              generated: s.generated,
              expanded: s.expanded,
              fired: s.fired,
              deepest: s.deepest,
              bytes: s.bytes,
              exact: s.seen.exact,
            },
          );
          break;
        }
      }
    } catch (e) {
      send({ kind: 'error', message: e instanceof Error ? e.message : String(e), name: e instanceof Error ? e.name : 'Error' });
    }
  });
  send({ kind: 'ready' });
}

main().catch((e: unknown) => send({ kind: 'error', message: e instanceof Error ? e.message : String(e), name: e instanceof Error ? e.name : 'Error' }));
