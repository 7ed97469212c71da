/**
 * A worker thread of the parallel search: it rebuilds the model from its
 * origin (origin.ts) and runs one searcher (search.ts) on the coordinator's commands.
 */
import { parentPort } from 'node:worker_threads';
import { thrownName, thrownText } from '../model/model-error.js';
import { validateModel } from '../model/model.js';
import { resolveOptions } from './options.js';
import { modelFromOrigin } from '../model/origin.js';
import { searcherTotals, type FromWorker, type ToWorker, type WorkerData } from './protocol.js';
import { Ctl, LayerEnd, StopCode } from './control.js';
import { LayerSearch } from './search.js';

if (parentPort === null) throw new Error('checker/explore/worker.js runs only as a worker thread');
const port = parentPort;
const send = (m: FromWorker): void => port.postMessage(m);
/** The search's shared counters, once known. */
let ctl: Int32Array | undefined;
/** Stops every thread of the search, then reports the error to the coordinator. */
const fail = (e: unknown): void => {
  if (ctl) {
    Atomics.compareExchange(ctl, Ctl.stop, StopCode.none, StopCode.error);
    Atomics.notify(ctl, Ctl.expanding);
    Atomics.notify(ctl, Ctl.stop);
  }
  send({ kind: 'error', message: thrownText(e), name: thrownName(e) });
};

async function main(data: WorkerData): Promise<void> {
  const model = await modelFromOrigin(data.origin);
  validateModel(model);
  const opts = resolveOptions(model, data.options);
  // This thread's clock, aligned with the coordinator's start.
  const start = performance.now() - (Date.now() - data.startEpochMs);
  ctl = new Int32Array(data.ctl);
  const s = new LayerSearch(model, opts, ctl, start, { searchers: data.searchers, self: data.self, outbox: data.outbox, inbox: data.inbox, shareLater: true });
  port.on('message', (msg: ToWorker) => {
    try {
      switch (msg.cmd) {
        case 'layer': {
          if (msg.share) s.adopt(msg.share);
          s.beginLayer(msg.segments, msg.chunk, msg.depth);
          const result = s.expandLayer();
          if (result === LayerEnd.done) s.endLayer();
          // A finished layer hands over this worker's segment of the next.
          send({
            kind: 'layer',
            result,
            segment: result === LayerEnd.done ? s.frontier.view() : new Uint32Array(0),
            violations: s.violations.length,
            profile: s.layerPart(),
          });
          break;
        }
        case 'finish':
          send({ kind: 'finished', ...searcherTotals(s) });
          break;
      }
    } catch (e) {
      fail(e);
    }
  });
  Atomics.add(ctl, Ctl.ready, 1);
  send({ kind: 'ready', atMs: performance.now() - start });
}

// The coordinator says what to search first; a worker may be started before it knows (see startWorkers).
port.once('message', (msg: ToWorker) => {
  if (msg.cmd === 'init') main(msg.data).catch(fail);
  else fail(new Error(`worker: expected init, got ${msg.cmd}`));
});
