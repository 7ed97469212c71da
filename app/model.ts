/**
 * Stage one of every command: which model it runs on. A model package comes
 * from `--model` (a built-in package's name, or a module file: see
 * load-module.ts) or is the default built-in one; its declared parameters
 * are read from their flags, or from a trace's `params`, validated, and the
 * model is built. Traces of a built-in model are read with that package;
 * a trace of a user model needs `--model`, since dnsmc never loads code a
 * trace names.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { Json } from '../checker/state/layout.js';
import { ModelError, type Model } from '../checker/model/model.js';
import { thrownText } from '../checker/model/model-error.js';
import { combine } from '../checker/package/scenario.js';
import { describeParam, ParamError, resolveParamValues, type ParamSpec } from '../checker/package/params.js';
import type { ModelPackage } from '../checker/package/package.js';
import { BUILTIN_PACKAGES, DEFAULT_PACKAGE, builtinPackage } from '../models/index.js';
import type { Trace } from '../traces/trace.js';
import { kebab, LimitError, UsageError } from './errors.js';
import { shown, wholeFlag } from './flags.js';
import { checkModel, loadModulePackage, modulePathForTrace } from './load-module.js';
import { awaitUserCode } from './user-code.js';

/** A resolved model package: where it comes from, and how worker threads rebuild its models. */
export interface PackageSource {
  readonly pkg: ModelPackage;
  /** For a user module: its path as traces record it. Undefined for a built-in package. */
  readonly module?: string;
  /** The module URL and export worker threads import (absent: the model's own origin, or one thread). */
  readonly origin?: { readonly module: string; readonly export: string };
  /** False for a user `createModel` that declares no parameters: a trace's parameters reach it as they are. */
  readonly declared: boolean;
}

/** A model ready to run, with the package that built it. */
export interface ResolvedModel {
  readonly model: Model;
  readonly source: PackageSource;
}

/** The built-in packages' names, for messages and `--help`. */
export const BUILTIN_NAMES: readonly string[] = BUILTIN_PACKAGES.map((b) => b.pkg.name);

/**
 * Flags of the commands themselves, which a model parameter may not take:
 * the command line registers how to list them (from its yargs builders), so
 * that the list is never out of step with the commands. Without a command
 * line (a library caller), no name is reserved.
 */
let commandFlags: () => ReadonlySet<string> = () => new Set();
let reservedCache: ReadonlySet<string> | undefined;

/** Registers how the command line lists its commands' own flags (called once by the CLI). */
export function useCommandFlags(list: () => ReadonlySet<string>): void {
  commandFlags = list;
  reservedCache = undefined;
}

/** The commands' own flags, listed once, when a module package is first checked. */
function reservedFlags(): ReadonlySet<string> {
  reservedCache ??= commandFlags();
  return reservedCache;
}

/** Checks a package's parameter declarations once: names, kinds, ranges and defaults. */
function checkParams(pkg: ModelPackage, where: string): void {
  const seen = new Set<string>();
  pkg.params.forEach((p, i) => {
    const bad = (what: string): never => {
      throw new UsageError(`${where}: params[${i}]${typeof p?.name === 'string' ? ` (${p.name})` : ''}: ${what}`);
    };
    if (typeof p !== 'object' || p === null) bad('must be an object { name, type, default, help, ... }');
    if (typeof p.name !== 'string' || !/^[a-z][A-Za-z0-9]*$/.test(p.name)) bad('name must be a camelCase identifier');
    if (seen.has(p.name)) bad('is declared twice');
    seen.add(p.name);
    if (reservedFlags().has(kebab(p.name)) || (pkg.system?.flags ?? []).some((f) => kebab(f.name) === kebab(p.name)))
      bad(`--${kebab(p.name)} is a flag of dnsmc's commands; name the parameter otherwise`);
    if (typeof p.help !== 'string') bad('help must be a string');
    if (p.type === 'int') {
      if (!Number.isSafeInteger(p.min) || !Number.isSafeInteger(p.max) || p.min > p.max) bad('min and max must be whole numbers with min <= max');
    } else if (p.type === 'enum') {
      if (!Array.isArray(p.values) || p.values.length === 0 || !p.values.every((v) => typeof v === 'string'))
        bad('values must be a non-empty array of strings');
    } else if (p.type !== 'bool') {
      bad(`type must be int, enum or bool, got ${shown((p as { type?: unknown }).type)}`);
    }
    try {
      resolveParamValues([p], {});
    } catch (e) {
      bad(`its default: ${(e as Error).message}`);
    }
  });
}

/** Checks a package's scenario and constraint declarations once: names, and flags that clash with no other flag. */
function checkObserverDecls(pkg: ModelPackage, where: string): void {
  const taken = new Set([...reservedFlags(), ...pkg.params.map((p) => kebab(p.name))]);
  const bad = (what: string): never => {
    throw new UsageError(`${where}: ${what}`);
  };
  if (pkg.scenarios !== undefined && !Array.isArray(pkg.scenarios)) bad('scenarios must be an array');
  if (pkg.constraints !== undefined && !Array.isArray(pkg.constraints)) bad('constraints must be an array');
  const names = new Set<string>();
  (pkg.scenarios ?? []).forEach((s, i) => {
    if (typeof s !== 'object' || s === null || typeof s.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(s.name))
      bad(`scenarios[${i}]: name must be a kebab-case name`);
    if (names.has(s.name)) bad(`scenarios[${i}] (${s.name}) is declared twice`);
    names.add(s.name);
    if (typeof s.observer !== 'function') bad(`scenarios[${i}] (${s.name}): observer must be a function (model, params) => Observer`);
    if (!Array.isArray(s.params)) bad(`scenarios[${i}] (${s.name}): params must be an array`);
    checkParams({ ...pkg, params: s.params }, `${where}: scenario ${s.name}`);
    for (const p of s.params) if (taken.has(kebab(p.name))) bad(`scenario ${s.name}: parameter --${kebab(p.name)} is already a flag; name it otherwise`);
  });
  const scenarioFlags = new Set(scenarioParamSpecs(pkg).map((p) => kebab(p.name)));
  (pkg.constraints ?? []).forEach((c, i) => {
    if (typeof c !== 'object' || c === null || typeof c.name !== 'string' || !/^[a-z][A-Za-z0-9]*$/.test(c.name))
      bad(`constraints[${i}]: name must be a camelCase identifier`);
    const flag = kebab(c.name);
    if (taken.has(flag) || scenarioFlags.has(flag)) bad(`constraints[${i}] (${c.name}): --${flag} is already a flag; name it otherwise`);
    taken.add(flag);
    if (!Number.isSafeInteger(c.min) || !Number.isSafeInteger(c.max) || c.min > c.max)
      bad(`constraints[${i}] (${c.name}): min and max must be whole numbers with min <= max`);
    if (typeof c.observer !== 'function') bad(`constraints[${i}] (${c.name}): observer must be a function (model, bound) => Observer`);
  });
}

/** The package `--model` names: a built-in package's name, or a module file; absent, the default package. */
export async function resolvePackage(ref: unknown): Promise<PackageSource> {
  if (ref === undefined) return builtin(DEFAULT_PACKAGE.pkg.name);
  if (typeof ref !== 'string' || ref === '') throw new UsageError(`--model must name a built-in model (${BUILTIN_NAMES.join('|')}) or a module file`);
  if (builtinPackage(ref)) return builtin(ref);
  const m = await loadModulePackage(ref);
  checkParams(m.pkg, `--model ${ref}`);
  checkObserverDecls(m.pkg, `--model ${ref}`);
  const url = pathToFileURL(resolve(ref)).href;
  return { pkg: m.pkg, module: modulePathForTrace(ref), origin: m.export ? { module: url, export: m.export } : undefined, declared: m.declared };
}

function builtin(name: string): PackageSource {
  const b = builtinPackage(name);
  if (b === undefined) throw new UsageError(`--model ${name}: no built-in model of that name (${BUILTIN_NAMES.join('|')})`);
  return { pkg: b.pkg, origin: { module: b.module, export: b.export }, declared: true };
}

/** The flag of a parameter: `maxBackoff` -> `--max-backoff`. */
export const paramFlag = (p: ParamSpec): string => kebab(p.name);

/**
 * Parameter values from flags as yargs hands them over (keys in camelCase;
 * absent ones left out). Whole numbers are parsed here; ranges are checked
 * when the model is built (a ParamError names the flag).
 */
export function paramsFromFlags(pkg: Pick<ModelPackage, 'params'>, a: Readonly<Record<string, unknown>>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const p of pkg.params) {
    const v = a[p.name];
    if (v === undefined) continue;
    if (Array.isArray(v)) throw new UsageError(`--${paramFlag(p)} must be given once`);
    if (p.type === 'int') out[p.name] = wholeFlag(paramFlag(p), v);
    else if (p.type === 'bool') out[p.name] = v === true || v === 'true';
    else if (p.values.includes(String(v))) out[p.name] = String(v);
    else throw new UsageError(`--${paramFlag(p)} must be ${describeParam(p)}, got ${shown(v)}`);
  }
  return out;
}

/**
 * Builds the package's model for `given` parameter values: validated against
 * the declared parameters (a ParamError names the bad one), built, checked
 * (a UsageError names what is wrong), and given an origin so that worker
 * threads can rebuild it.
 */
export async function buildModel(src: PackageSource, given: Readonly<Record<string, Json>> = {}): Promise<Model> {
  const params = src.declared ? resolveParamValues(src.pkg.params, given) : { ...given };
  const where = src.module !== undefined ? `--model ${src.module}` : `model ${src.pkg.name}`;
  let m: unknown;
  try {
    // A user's createModel may be async.
    m = await awaitUserCode(`${where}: createModel(${JSON.stringify(params)})`, () => src.pkg.createModel(params));
  } catch (e) {
    if (e instanceof ParamError || e instanceof UsageError || e instanceof LimitError) throw e;
    throw new UsageError(`${where}: createModel(${JSON.stringify(params)}) failed: ${thrownText(e)}`.replace(/\s*\n\s*/g, ' '));
  }
  const model = checkModel(m, where);
  const extra: PropertyDescriptorMap = {};
  if (src.module !== undefined) extra.module = { value: src.module, enumerable: false, configurable: true };
  if (model.origin === undefined && src.origin !== undefined) {
    extra.origin = { value: { module: src.origin.module, export: src.origin.export, args: [params] }, enumerable: true, configurable: true };
  }
  if (Object.keys(extra).length === 0) return model;
  if (Object.isExtensible(model)) {
    Object.defineProperties(model, extra);
    return model;
  }
  return Object.create(model, extra) as Model;
}

/** The model the flags select: `--model`, the package's parameter flags, and `--scenario` and the constraint flags (see observeFromFlags). */
export async function modelFromFlags(a: Readonly<Record<string, unknown>>, resolved?: PackageSource): Promise<ResolvedModel> {
  const source = resolved ?? (await resolvePackage(a.model));
  const model = await buildModel(source, paramsFromFlags(source.pkg, a));
  return { model: observeFromFlags(source, model, a), source };
}

/** The parameters of a package's scenarios, each name once (their flags, as a model parameter's). */
export function scenarioParamSpecs(pkg: ModelPackage): ParamSpec[] {
  const out: ParamSpec[] = [];
  for (const s of pkg.scenarios ?? []) for (const p of s.params) if (!out.some((q) => q.name === p.name)) out.push(p);
  return out;
}

/**
 * The model combined with the scenario `--scenario` names (its parameters
 * from their flags) and the constraints whose flags are given (see
 * checker/package/scenario.ts); the model itself when there are none. Worker threads
 * rebuild the combination from the package's origin.
 */
export function observeFromFlags(source: PackageSource, model: Model, a: Readonly<Record<string, unknown>>): Model {
  const { pkg } = source;
  const scenarios = pkg.scenarios ?? [];
  let scenario: string | null = null;
  if (a.scenario !== undefined) {
    const names = scenarios.map((s) => s.name);
    if (typeof a.scenario !== 'string' || !names.includes(a.scenario)) {
      throw new UsageError(
        names.length > 0 ? `--scenario must be one of ${names.join('|')}, got ${shown(a.scenario)}` : `--scenario: model ${pkg.name} declares no scenarios`,
      );
    }
    scenario = a.scenario;
  }
  const chosen = scenarios.find((s) => s.name === scenario);
  for (const p of scenarioParamSpecs(pkg)) {
    if (a[p.name] !== undefined && !chosen?.params.some((q) => q.name === p.name)) {
      const owners = scenarios.filter((s) => s.params.some((q) => q.name === p.name)).map((s) => s.name);
      throw new UsageError(`--${paramFlag(p)} is a parameter of scenario ${owners.join('|')}: add --scenario ${owners[0]}`);
    }
  }
  const scenarioParams = chosen ? paramsFromFlags(chosen, a) : {};
  const constraints: Record<string, number> = {};
  for (const c of pkg.constraints ?? []) {
    const v = a[c.name];
    if (v === undefined) continue;
    if (Array.isArray(v)) throw new UsageError(`--${kebab(c.name)} must be given once`);
    constraints[c.name] = wholeFlag(kebab(c.name), v, c.min, c.max);
  }
  if (scenario === null && Object.keys(constraints).length === 0) return model;
  const origin = source.origin && model.origin ? { pkg: source.origin, model: model.origin } : undefined;
  try {
    return combine(model, pkg, scenario, scenarioParams, constraints, origin);
  } catch (e) {
    if (e instanceof ModelError) throw new UsageError(`${source.module !== undefined ? `--model ${source.module}` : `model ${pkg.name}`}: ${e.message}`);
    throw e;
  }
}

/**
 * The model a trace was made with, rebuilt from its name and parameters;
 * `overrides` (parameter values from flags, e.g. another variant for replay)
 * take precedence. `modelRef` is `--model`: needed for a trace of a user
 * model (the module path a trace records is only quoted, never loaded).
 */
export async function modelFromTrace(
  t: Pick<Trace, 'model' | 'params' | 'module'>,
  modelRef?: unknown,
  overrides: Readonly<Record<string, Json>> = {},
): Promise<ResolvedModel> {
  if (modelRef === undefined && (t.module !== undefined || !builtinPackage(t.model))) {
    throw new UsageError(
      `trace: made with the user model ${shown(t.model)}${t.module !== undefined ? ` from ${t.module}` : ''}; pass --model ${t.module ?? 'FILE'} to load it (dnsmc never loads code a trace names)`,
    );
  }
  const source = await resolvePackage(modelRef ?? t.model);
  const fromTrace: Record<string, Json> = {};
  for (const [k, v] of Object.entries(t.params)) {
    if (!source.declared || source.pkg.params.some((p) => p.name === k)) fromTrace[k] = v;
  }
  const model = await buildModel(source, { ...fromTrace, ...overrides });
  if (model.name !== t.model) {
    throw new UsageError(`--model ${String(modelRef)} builds model ${shown(model.name)}, but the trace is of model ${shown(t.model)}`);
  }
  // A fixed model (no parameters declared) must be the one the trace was made with.
  if (source.declared && source.pkg.params.length === 0 && JSON.stringify(model.params) !== JSON.stringify(t.params)) {
    throw new UsageError(
      `trace: the model rebuilt from the trace has params ${JSON.stringify(model.params)}, but the trace records ${JSON.stringify(t.params)}`,
    );
  }
  return { model, source };
}
