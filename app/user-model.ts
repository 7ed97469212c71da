/**
 * Users' own models, loaded from a module file: `--model ./path/to/model.js`
 * (or `.mjs`, `.cjs`, and `.ts`, `.mts`, `.cts`, compiled on the fly).
 *
 * The module contract. The module exports one of, looked up in this order:
 *  - `createModel(params)`: a function (may be async) that returns a model.
 *    It is called with the model flags given on the command line
 *    (`--variant` as a string; `--enactors`, `--plans`, `--endpoints`,
 *    `--max-backoff`, `--keep` as numbers; absent ones left out), or, when a
 *    trace is replayed, with the parameters the trace records. It validates
 *    them and throws an Error whose message names the bad one;
 *  - `model`: a model object (it then takes no parameters);
 *  - a default export that is either of the above.
 * A model is the same `Model` the built-in `dns` model is, written with the
 * public authoring API (`defineLayout`, `int`, `enumOf`, `maybe`, `setOf`,
 * `array`, and the `Action`, `Invariant`, `StepInvariant`, `Model` types).
 *
 * `.ts` modules are compiled with tsx (esbuild) as they are imported; Node
 * 20 cannot strip types itself. Anything wrong (a missing file, a syntax
 * error, a module that throws, a wrong export, a model that breaks the
 * interface) is a UsageError: one line, exit code 2.
 */
import { existsSync, statSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Json } from '../checker/layout.js';
import type { Model } from '../checker/model.js';
import { ModelError, validateModel } from '../checker/model.js';
import { transitionsOf } from '../checker/transitions.js';
import { UsageError } from './errors.js';

const JS = ['.js', '.mjs', '.cjs'];
const TS = ['.ts', '.mts', '.cts'];

/** Parameters handed to a module's `createModel`. */
export type UserParams = Record<string, Json>;

/** The message of anything thrown, on one line and not too long. */
function oneLine(e: unknown): string {
  const msg = e instanceof Error ? `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}` : String(e);
  const flat = msg.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
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
  if (!isObj(o.params) || Array.isArray(o.params)) fail(`${where}: field params must be an object of JSON values (use {} for none)`);
  const layout = o.layout;
  if (!isObj(layout)) fail(`${where}: field layout must be a layout made with defineLayout`);
  for (const f of ['vector', 'view', 'pack', 'unpack', 'fromPlain', 'toPlain', 'toJson', 'fromJson']) {
    if (!isFn((layout as Record<string, unknown>)[f])) fail(`${where}: field layout must be a layout made with defineLayout (it has no ${f} method)`);
  }
  if (!isObj(o.roles) || Array.isArray(o.roles)) fail(`${where}: field roles must be an object mapping each role to its number of actors`);
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
    if (TS.includes(ext)) {
      const { tsImport } = await import('tsx/esm/api');
      return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    }
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`--${flag} ${file}: cannot load the module: ${oneLine(e)}`);
  }
}

/** What the module exports as its model: a factory or a model object. */
function pickExport(ns: Record<string, unknown>, file: string, flag: string): { factory?: (p: UserParams) => unknown; model?: unknown } {
  const from = (o: Record<string, unknown>): { factory?: (p: UserParams) => unknown; model?: unknown } | undefined => {
    if (isFn(o.createModel)) return { factory: o.createModel as (p: UserParams) => unknown };
    if (o.model !== undefined) return { model: o.model };
    return undefined;
  };
  const direct = from(ns);
  if (direct) return direct;
  const d = ns.default;
  if (isFn(d)) return { factory: d as (p: UserParams) => unknown };
  if (isObj(d)) {
    // A CommonJS module (or a .ts file compiled as one) puts its exports under default.
    const inner = from(d);
    if (inner) return inner;
    if (isObj(d.default) || isFn(d.default)) return isFn(d.default) ? { factory: d.default as (p: UserParams) => unknown } : { model: d.default };
    if ('layout' in d || 'actions' in d) return { model: d };
  }
  const names = Object.keys(ns).filter((k) => k !== 'default' || ns.default !== undefined);
  throw new UsageError(
    `--${flag} ${file}: the module must export createModel(params) or model (or a default export of either); it exports ${names.length > 0 ? names.join(', ') : 'nothing'}`,
  );
}

/** What {@link loadModelModule} builds the model with. */
export interface LoadOptions {
  /** Parameters for `createModel` (from flags). A module that exports a fixed `model` accepts none. */
  params?: UserParams;
  /**
   * The parameters a trace records, when the model is rebuilt for a trace:
   * `createModel` gets them, overridden by `params`; a fixed `model` must
   * have exactly these.
   */
  traceParams?: Readonly<Record<string, Json>>;
  /** The flag named in messages. Default `model`. */
  flag?: string;
}

/**
 * Loads a user model from a module file (see the top of this file for the
 * contract) and checks it: its shape, `validateModel`, that every initial
 * state fits the layout, and the transition limit. The model returned
 * carries a non-enumerable `module` property (the path, relative to the
 * working directory) that traces record.
 */
export async function loadModelModule(file: string, o: LoadOptions = {}): Promise<Model> {
  const flag = o.flag ?? 'model';
  const params = o.params ?? {};
  const ns = await importModule(file, flag);
  const picked = pickExport(ns, file, flag);
  let m: unknown;
  if (picked.factory) {
    const all: UserParams = { ...(o.traceParams ?? {}), ...params };
    try {
      m = await picked.factory(all);
    } catch (e) {
      throw new UsageError(`--${flag} ${file}: createModel(${JSON.stringify(all)}) failed: ${oneLine(e)}`);
    }
  } else {
    const given = Object.keys(params);
    if (given.length > 0) {
      throw new UsageError(`--${flag} ${file} exports a fixed model (no createModel), so it takes no parameters; got ${given.join(', ')}`);
    }
    m = picked.model;
  }
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
    if (e instanceof ModelError) throw new UsageError(`--${flag} ${file}: not a valid model: ${e.message}`);
    throw new UsageError(`--${flag} ${file}: not a valid model: ${oneLine(e)}`);
  }
  const model = m as Model;
  if (!picked.factory && o.traceParams !== undefined && JSON.stringify(model.params) !== JSON.stringify(o.traceParams)) {
    throw new UsageError(
      `--${flag} ${file}: the module's model has params ${JSON.stringify(model.params)}, but the trace was made with ${JSON.stringify(o.traceParams)}`,
    );
  }
  const path = modulePathForTrace(file);
  if (Object.isExtensible(model)) {
    Object.defineProperty(model, 'module', { value: path, enumerable: false, configurable: true });
    return model;
  }
  return Object.create(model, { module: { value: path, enumerable: false } }) as Model;
}

/** The path a loaded user model came from, or undefined for a built-in one. */
export function moduleOf(model: Model): string | undefined {
  const p = (model as { module?: unknown }).module;
  return typeof p === 'string' ? p : undefined;
}
