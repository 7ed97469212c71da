/**
 * Users' own model packages, loaded from a module file: `--model
 * ./path/to/model.js` (or `.mjs`, `.cjs`, and `.ts`, `.mts`, `.cts`, compiled
 * on the fly).
 *
 * The module contract. The module exports one of, looked up in this order:
 *  - `modelPackage`: a model package (checker/package/package.ts): its declared
 *    parameters become flags (`--tokens 5`), are validated against their
 *    ranges, and reach its `createModel` resolved, defaults filled in;
 *  - `createModel(params)`: a function that returns a model (or a promise of
 *    one), with, optionally, `params`: the parameters it declares (ParamSpec[]),
 *    which then work as for a package. Without `params` it takes no flags,
 *    and is called with `{}` (or, when a trace is read, with the
 *    parameters the trace records, as they are);
 *  - `model`: a model object (it then takes no parameters);
 *  - a default export that is any of the above.
 * A model is the same `Model` the built-in `dns` model is, written with the
 * public authoring API (`defineLayout`, `int`, `enumOf`, `maybe`, `setOf`,
 * `array`, and the `Action`, `Invariant`, `StepInvariant`, `Model` types).
 *
 * `.ts` modules are compiled with tsx (esbuild) as they are imported where
 * tsx is installed (an optional peer dependency); Node 20 cannot strip types
 * itself, Node 22.18 and later can and need no tsx (checker/model/origin.ts). Anything wrong (a missing file, a syntax
 * error, a module that throws, a wrong export, a model that breaks the
 * interface) is a UsageError: one line, exit code 2.
 */
import { isObj } from '../traces/trace.js';
import { existsSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Model } from '../checker/model/model.js';
import type { ModelPackage } from '../checker/package/package.js';
import type { ParamSpec } from '../checker/package/params.js';
import { ModelError, validateModel } from '../checker/model/model.js';
import { thrownText } from '../checker/model/model-error.js';
import { transitionsOf } from '../checker/model/transitions.js';
import { importTypeScript, tsxApiUrl } from '../checker/model/origin.js';
import { LimitError, UsageError } from './errors.js';
import { awaitUserCode, userCodeMemoryLimit } from './user-code.js';

const JS = ['.js', '.mjs', '.cjs'];
const TS = ['.ts', '.mts', '.cts'];

/** The message of anything thrown, on one line and not too long. */
export function oneLine(e: unknown): string {
  const msg = thrownText(e, true);
  const flat = msg
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}

const isFn = (v: unknown): v is (...args: unknown[]) => unknown => typeof v === 'function';

/**
 * Checks that `m` has the shape of a Model, naming the first field that is
 * wrong. (TypeScript checks this for typed modules; JavaScript modules and
 * wrong exports get here.)
 */
export function checkModelShape(m: unknown): asserts m is Model {
  const fail = (what: string): never => {
    throw new ModelError(what);
  };
  if (!isObj(m)) fail(`the export is ${m === null ? 'null' : typeof m}, not a model object`);
  const o = m as Record<string, unknown>;
  if (typeof o.name !== 'string' || o.name === '') fail('field name must be a non-empty string');
  const where = `model ${o.name as string}`;
  if (o.variant !== undefined && typeof o.variant !== 'string') fail(`${where}: field variant must be a string when present`);
  if (!isObj(o.params)) fail(`${where}: field params must be an object of JSON values (use {} for none)`);
  const layout = o.layout;
  if (!isObj(layout)) fail(`${where}: field layout must be a layout made with defineLayout`);
  for (const f of ['vector', 'view', 'pack', 'unpack', 'fromPlain', 'toPlain', 'toJson', 'fromJson']) {
    if (!isFn((layout as Record<string, unknown>)[f])) fail(`${where}: field layout must be a layout made with defineLayout (it has no ${f} method)`);
  }
  if (!isObj(o.roles)) fail(`${where}: field roles must be an object mapping each role to its number of actors`);
  for (const [role, n] of Object.entries(o.roles as object)) {
    if (!Number.isInteger(n) || (n as number) < 1) fail(`${where}: roles.${role} must be a whole number of at least 1, got ${String(n)}`);
  }
  if (!Array.isArray(o.init) || o.init.length === 0) fail(`${where}: field init must be a non-empty array of states`);
  if (!Array.isArray(o.actions)) fail(`${where}: field actions must be an array`);
  (o.actions as unknown[]).forEach((a, i) => {
    if (!isObj(a) || typeof a.name !== 'string' || typeof a.role !== 'string' || !isFn(a.guard) || !isFn(a.effect)) {
      fail(`${where}: actions[${i}] must have a name, a role, and guard and effect functions`);
    }
  });
  for (const key of ['invariants', 'stepInvariants'] as const) {
    if (!Array.isArray(o[key])) fail(`${where}: field ${key} must be an array (use [] for none)`);
    (o[key] as unknown[]).forEach((p, i) => {
      if (!isObj(p) || typeof p.name !== 'string' || typeof p.description !== 'string' || !isFn(p.holds)) {
        fail(`${where}: ${key}[${i}] must have a name, a description and a holds function`);
      }
    });
  }
  for (const f of ['terminalOk', 'actorName', 'narrate', 'render']) {
    if (o[f] !== undefined && !isFn(o[f])) fail(`${where}: field ${f} must be a function when present`);
  }
}

/** The path as recorded in traces: relative to the working directory when inside it, with forward slashes. */
export function modulePathForTrace(file: string): string {
  const abs = resolve(file);
  const rel = relative(process.cwd(), abs);
  const shown = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
  return shown.split(sep).join('/');
}

async function importModule(file: string, flag: string): Promise<Record<string, unknown>> {
  if (file === '') throw new UsageError(`--${flag} must name a module file`);
  const abs = resolve(file);
  if (!existsSync(abs)) throw new UsageError(`--${flag}: no such file ${file}`);
  if (!statSync(abs).isFile()) throw new UsageError(`--${flag}: ${file} is not a file`);
  const ext = extname(abs).toLowerCase();
  if (![...JS, ...TS].includes(ext)) {
    throw new UsageError(`--${flag} must be a .js, .mjs, .cjs, .ts, .mts or .cts module, got ${file}`);
  }
  const url = pathToFileURL(abs).href;
  try {
    // Its top-level code may await what never comes: the wait is recorded, and bounded by --time-limit.
    return await awaitUserCode(`--${flag} ${file}: importing the module`, async () => {
      const mib = userCodeMemoryLimit();
      if (mib !== undefined) await probeMemory(url, TS.includes(ext), mib, `--${flag} ${file}`);
      if (TS.includes(ext)) return await importTypeScript(url);
      return (await import(url)) as Record<string, unknown>;
    });
  } catch (e) {
    if (e instanceof LimitError) throw e;
    throw new UsageError(`--${flag} ${file}: cannot load the module: ${oneLine(e)}`);
  }
}

/**
 * Under `--max-memory`, the module is first imported on a worker thread whose
 * heap is bounded by the limit: a module that allocates without end there
 * ends that thread (a LimitError: one line, exit 3), where on this thread it
 * would end the process with V8's "heap out of memory" and a native stack.
 * The module's top-level code therefore runs twice under `--max-memory`.
 * Any other failure is left to the real import to report.
 */
async function probeMemory(url: string, ts: boolean, mib: number, what: string): Promise<void> {
  // Without tsx, the worker imports TypeScript as Node does (or fails, which the real import then reports).
  const tsx = ts ? tsxApiUrl() : undefined;
  const code = `const { workerData: d } = require('node:worker_threads');
(async () => { if (d.tsx) { const { tsImport } = await import(d.tsx); await tsImport(d.url, d.url); } else { await import(d.url); } })().then(() => process.exit(0), () => process.exit(0));`;
  const worker = new Worker(code, { eval: true, workerData: { url, tsx }, resourceLimits: { maxOldGenerationSizeMb: mib } });
  const outOfMemory = await new Promise<boolean>((resolve) => {
    worker.once('error', (e) => resolve((e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'));
    worker.once('exit', () => resolve(false));
  });
  await worker.terminate();
  if (outOfMemory) throw new LimitError(`${what}: loading the module took more than --max-memory ${mib} MiB of heap; no verdict`);
}

/** A module's package, and the export worker threads rebuild it from. */
export interface ModulePackage {
  readonly pkg: ModelPackage;
  /** The export's name: a package object (`modelPackage`) or a function called with the parameters (`createModel`). */
  readonly export: string;
  /** False for a `createModel` without declared `params`: parameters are then passed through as given (from a trace only). */
  readonly declared: boolean;
}

const fixed = (name: string, m: unknown): ModelPackage => ({
  name,
  description: `the model exported by ${name}`,
  params: [],
  createModel: () => m as Model,
});

function asPackage(o: Record<string, unknown>, file: string, flag: string, exportName: (k: string) => string): ModulePackage | undefined {
  const name = basename(file).replace(/\.[^.]*$/, '');
  if (o.modelPackage !== undefined) {
    const p = o.modelPackage as Record<string, unknown>;
    if (!isObj(p) || !isFn(p.createModel) || !Array.isArray(p.params)) {
      throw new UsageError(`--${flag} ${file}: modelPackage must be an object with params (an array of parameters) and createModel(params)`);
    }
    return { pkg: { ...(p as unknown as ModelPackage), name: typeof p.name === 'string' ? p.name : name }, export: exportName('modelPackage'), declared: true };
  }
  if (isFn(o.createModel)) return fromCreateModel(o.createModel, o.params, file, flag, exportName('createModel'));
  if (o.model !== undefined) return { pkg: fixed(name, o.model), export: '', declared: true };
  return undefined;
}

/** A package around an exported `createModel` (with `params` declared beside it, or none). */
function fromCreateModel(create: (p: unknown) => unknown, params: unknown, file: string, flag: string, exportAs: string): ModulePackage {
  const name = basename(file).replace(/\.[^.]*$/, '');
  const declared = params !== undefined;
  if (declared && !Array.isArray(params)) throw new UsageError(`--${flag} ${file}: params must be an array of parameters ({ name, type, default, help, ... })`);
  return {
    pkg: {
      name,
      description: `the model built by ${name}'s createModel`,
      params: (params as ParamSpec[] | undefined) ?? [],
      createModel: (p) => create(p) as Model,
    },
    export: exportAs,
    declared,
  };
}

/** What the module exports as its model package. */
function pickExport(ns: Record<string, unknown>, file: string, flag: string): ModulePackage {
  const direct = asPackage(ns, file, flag, (k) => k);
  if (direct) return direct;
  const d = ns.default;
  if (isFn(d)) return fromCreateModel(d, undefined, file, flag, 'default');
  if (isObj(d)) {
    // A CommonJS module (or a .ts file compiled as one) puts its exports under default: worker threads cannot name those.
    const inner = asPackage(d, file, flag, () => '');
    if (inner) return inner;
    if (isFn(d.default)) return fromCreateModel(d.default, undefined, file, flag, '');
    if (isObj(d.default)) return { pkg: fixed(basename(file), d.default), export: '', declared: true };
    if ('layout' in d || 'actions' in d) return { pkg: fixed(basename(file), d), export: '', declared: true };
  }
  const names = Object.keys(ns).filter((k) => k !== 'default' || ns.default !== undefined);
  throw new UsageError(
    `--${flag} ${file}: the module must export modelPackage, createModel(params) or model (or a default export of one); it exports ${names.length > 0 ? names.join(', ') : 'nothing'}`,
  );
}

/** Loads a module file and returns its model package (see the top of this file for the contract). */
export async function loadModulePackage(file: string, flag = 'model'): Promise<ModulePackage> {
  return pickExport(await importModule(file, flag), file, flag);
}

/**
 * Checks a model built by a package: its shape, `validateModel`, that every
 * initial state fits the layout, and the transition limit. Anything wrong is
 * a UsageError naming `source` (e.g. `--model FILE`).
 */
export function checkModel(m: unknown, source: string): Model {
  try {
    checkModelShape(m);
    validateModel(m);
    const vec = m.layout.vector();
    const words = new Uint32Array(m.layout.words);
    m.init.forEach((s, i) => {
      try {
        m.layout.fromPlain(s, vec);
        m.layout.pack(vec, words, 0);
      } catch (e) {
        throw new ModelError(`init[${i}]: ${oneLine(e)}`);
      }
    });
    transitionsOf(m);
  } catch (e) {
    if (e instanceof ModelError) throw new UsageError(`${source}: not a valid model: ${e.message}`);
    throw new UsageError(`${source}: not a valid model: ${oneLine(e)}`);
  }
  return m;
}

/** The path a loaded user model came from, or undefined for a built-in one. */
export function moduleOf(model: Model): string | undefined {
  const p = (model as { module?: unknown }).module;
  return typeof p === 'string' ? p : undefined;
}
