/**
 * The worker threads of parallel searches: starting them (from the compiled
 * engine, or from its TypeScript sources through tsx, so that tests need no
 * build), keeping spare ones started ahead of a search, and talking to each
 * (commands out, answers in order, failures noticed).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ModelError } from '../model/model.js';
import { fromSource } from '../model/origin.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** The default number of workers: the machine's cores. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * A new worker thread running worker.ts (or its compiled worker.js). From
 * sources, the thread first registers tsx's loader, then imports the worker
 * module, so that it and everything it imports load as TypeScript.
 */
function spawn(): Worker {
  return spawnModule(import.meta.url, './worker');
}

/**
 * A new worker thread running the module `name` (without its extension)
 * beside `base` (a module's `import.meta.url`): its compiled `.js`, or its
 * `.ts` source through tsx (see {@link spawn}). Other engines' workers
 * (the timed simulation's) start the same way.
 */
export function spawnModule(base: string, name: string): Worker {
  if (!fromSource) return new Worker(new URL(`${name}.js`, base));
  const worker = new URL(`${name}.ts`, base).href;
  const boot = `import(${JSON.stringify(tsxApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}); });`;
  return new Worker(boot, { eval: true });
}

let tsxApiUrl: string | undefined;

/** The file URL of tsx's ESM API (`tsx/esm/api`, by its package's export map), found from this module. */
function tsxApi(): string {
  if (tsxApiUrl) return tsxApiUrl;
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  tsxApiUrl = pathToFileURL(join(dirname(manifest), pkg.exports['./esm/api'].import.default)).href;
  return tsxApiUrl;
}

/** Workers started ahead of a search by {@link startWorkers}, waiting for one. */
const spare: Worker[] = [];

/**
 * Starts `count` worker threads ahead of a parallel search, so that their
 * start (a Node.js thread, the engine's modules) overlaps with the caller's
 * own work, such as reading the command line. The next `checkParallel`
 * takes them; until then they do not keep the process alive.
 */
export function startWorkers(count: number): void {
  for (let i = 0; i < count; i++) {
    const w = spawn();
    w.unref();
    w.on('error', () => undefined);
    w.once('exit', () => {
      const i = spare.indexOf(w);
      if (i >= 0) spare.splice(i, 1);
    });
    spare.push(w);
  }
}

/**
 * Stops the workers started ahead of a search that none will take (a
 * search on one thread, a liveness check), so that they no longer take a
 * core from the one that runs.
 */
export function stopSpareWorkers(): void {
  for (const w of spare.splice(0)) void w.terminate();
}

/** A spare worker, or a new one; it keeps the process alive until terminated. */
export function takeWorker(): Worker {
  const w = spare.shift() ?? spawn();
  w.ref();
  return w;
}

/** One worker of a search: commands out, answers in, in order; its first failure kept. */
export class WorkerHandle {
  /** Answers that arrived before anyone waited for them, in order. */
  private readonly inbox: FromWorker[] = [];
  private pending: ((m: FromWorker) => void) | undefined;
  /** The first error the worker reported (or its exit). */
  error: Extract<FromWorker, { kind: 'error' }> | undefined;
  /** @param onFailure called when the worker reports an error or exits, before the error is delivered. */
  constructor(
    readonly worker: Worker,
    onFailure: () => void,
  ) {
    const deliver = (m: FromWorker): void => {
      if (m.kind === 'error' && !this.error) {
        this.error = m;
        onFailure();
      }
      const p = this.pending;
      this.pending = undefined;
      if (p) p(m);
      else this.inbox.push(m);
    };
    worker.on('message', deliver);
    worker.on('error', (e) => deliver({ kind: 'error', message: e.message, name: e.name }));
    worker.on('exit', (code) => deliver({ kind: 'error', message: `worker exited with code ${code}`, name: 'Error' }));
  }
  /** Waits for the next answer. */
  next(): Promise<FromWorker> {
    const m = this.inbox.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => {
      this.pending = resolve;
    });
  }
  /** Sends a command and waits for the answer. */
  ask(msg: ToWorker): Promise<FromWorker> {
    const answer = this.next();
    this.worker.postMessage(msg);
    return answer;
  }
}

export function unwrap<K extends FromWorker['kind']>(m: FromWorker, kind: K): Extract<FromWorker, { kind: K }> {
  if (m.kind === 'error') {
    const e = m.name === 'ModelError' ? new ModelError(m.message) : new Error(`worker: ${m.message}`);
    throw e;
  }
  if (m.kind !== kind) throw new Error(`worker: expected ${kind}, got ${m.kind}`);
  return m as Extract<FromWorker, { kind: K }>;
}

/** Throws the first error a worker reported, if any did. */
export function rethrow(handles: readonly WorkerHandle[]): void {
  for (const h of handles) if (h.error) unwrap(h.error, 'ready');
}
