/**
 * The system adapter of the dns model: starts a fresh run against a private
 * `named` (server.ts), or against an RFC 2136 server the user names, with
 * the implementation behind the driver protocol (docs/drivers.md: the
 * built-in driver, driver.ts, runs the reference implementation or a drifted
 * one; `--driver` runs a team's own), performs the model's actions one at a
 * time through it, and maps the real zone, the plan store and the actors'
 * local state (as the driver replies it) to the model's JSON state.
 *
 * On the user's server it touches only the names at or under
 * `e<k>.[PREFIX.]ZONE`; it refuses to start, changing nothing, when they
 * already hold records (unless `--wipe`), and deletes them when it stops.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Json, JsonState } from '../../checker/state/layout.js';
import type { Model } from '../../checker/model/model.js';
import type { RunningSystem, SystemAdapter } from '../../checker/package/system.js';
import { ActionRefused, DriverError, SystemError } from '../../checker/package/system.js';
import { splitCommand } from '../command-words.js';
import { DriverProcess } from '../driver-process.js';
import { ACTIONS, type ActionName, IDLE, type Local, OUTCOME_PHASES, OUTCOMES, type Outcome, ReferenceActors, type StepDone } from './actors.js';
import { IMPLEMENTATIONS } from './drifted.js';
import { DEFAULT_DRIVER_TIMEOUT_MS, DEFAULT_ZONE, DNS_FLAGS, dnsOptions, type DnsSystemOptions } from './flags.js';
import { DnsClient, DnsError } from './messages.js';
import { PlanStore, PlanStoreError } from './plan-store.js';
import {
  ConfigError,
  FREE,
  Names,
  PHASE_NAMES,
  ZoneChanged,
  indexRecords,
  protocolConfigOf,
  recordsOwned,
  resetZone,
  type Context,
  type ProtocolConfig,
} from './reference.js';
import { makeRunDir, removeRunDir } from './run-dirs.js';
import { renumberPlans } from './renumber.js';
import { calibrateDns } from './calibrate.js';
import { ServerError, startNamed, type NamedServer } from './server.js';
import { TsigError, readKeyFile, type TsigKey } from './tsig.js';
import { TYPE, WireError, fqdn, rcodeName, typeName } from './wire.js';

export type { DnsSystemOptions } from './flags.js';

/** One name's resolution at the end: the rcode and the answer records (the CNAME chain, then the A records). */
export type Resolution = {
  name: string;
  rcode: string;
  answers: { name: string; type: string; data: string }[];
};

/** The dns model's parameters, as the reference implementation's configuration. */
export function protocolConfig(model: Model): ProtocolConfig {
  try {
    return protocolConfigOf(model.params, typeof model.params.variant === 'string' ? model.params.variant : model.variant);
  } catch (e) {
    if (e instanceof ConfigError) throw new SystemError(e.message);
    throw e;
  }
}

function parseServer(text: string, loopbackOnly: boolean): { host: string; port: number } {
  const shape = `--server must be HOST:PORT (for example 127.0.0.1:5353; an IPv6 address in brackets, [::1]:5353), got ${JSON.stringify(text)}`;
  const m = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new SystemError(shape);
  const host = m[1].replace(/^\[(.*)\]$/, '$1');
  if (host.trim() === '') throw new SystemError(shape);
  if (loopbackOnly && host !== '127.0.0.1') throw new SystemError(`--server ${text}: only 127.0.0.1 is allowed here`);
  return { host, port };
}

/**
 * Errors of the server, its key and its answers, as one-line SystemErrors; a
 * zone that something else changed (ZoneChanged) is the system departing from
 * the model: the step is refused (a divergence).
 */
export function asSystemError(e: unknown): unknown {
  if (e instanceof ZoneChanged) return new ActionRefused(e.message);
  if (e instanceof DnsError || e instanceof TsigError || e instanceof ServerError || e instanceof WireError || e instanceof PlanStoreError)
    return new SystemError(e.message);
  return e;
}

/** A server to run against: a private `named` started here, or the user's. */
export interface Connection {
  readonly address: { readonly host: string; readonly port: number };
  readonly key: TsigKey;
  readonly zone: string;
  readonly names: Names;
  readonly description: string;
  readonly startMs?: number;
  /** The private `named`, or null on the user's server. */
  readonly named: NamedServer | null;
}

/** Connects to the server the options name, or starts a private one (SystemError, one line, when it cannot). */
export async function connect(options: DnsSystemOptions): Promise<Connection> {
  const zone = fqdn(options.zone ?? DEFAULT_ZONE);
  const names = new Names(zone, options.prefix ?? '');
  try {
    if (options.server !== undefined) {
      const address = parseServer(options.server, options.loopbackOnly === true);
      if (options.tsigKey === undefined) throw new SystemError('--server needs --tsig-key FILE: the key the server accepts updates with');
      return { address, key: readKeyFile(options.tsigKey), zone, names, description: `RFC 2136 server at ${options.server}`, named: null };
    }
    if (options.tsigKey !== undefined) throw new SystemError('--tsig-key goes with --server (a private server makes its own key)');
    const server = await startNamed({ zone });
    return {
      address: { host: server.host, port: server.port },
      key: server.key,
      zone,
      names,
      description: `${server.version} (private, 127.0.0.1:${server.port})`,
      startMs: server.startMs,
      named: server,
    };
  } catch (e) {
    throw asSystemError(e);
  }
}

/**
 * Sets the run's names to the protocol's start, after checking that they
 * hold nothing the run did not create: records already there make it refuse
 * (SystemError, nothing changed) unless `wipe`.
 */
export async function claimNames(dns: DnsClient, names: Names, endpoints: number, wipe: boolean): Promise<void> {
  try {
    const there = await recordsOwned(dns, names, endpoints);
    if (there.length > 0 && !wipe) {
      const shown = there.slice(0, 3).map((r) => `${r.name} ${typeName(r.type)}`);
      throw new SystemError(
        `the zone ${names.zone} already holds ${there.length} record${there.length === 1 ? '' : 's'} at or under the run's names (${shown.join(', ')}${there.length > 3 ? ', ...' : ''}), which this run did not create; nothing was changed: give --wipe to delete them, or --prefix to run under other names`,
      );
    }
    await resetZone(dns, names, endpoints);
  } catch (e) {
    throw asSystemError(e);
  }
}

/** On the user's server, at the end: the run's names deleted (the zone as it was before the run, but for what was wiped). Best effort. */
export async function releaseNames(dns: DnsClient, names: Names, endpoints: number): Promise<void> {
  try {
    await resetZone(dns, names, endpoints, { clearOnly: true });
  } catch {
    // The server is gone or refuses: the names stay, and the next run refuses them until --wipe (docs/real-dns.md).
  }
}

/** The zone's part of the model's state, from one zone transfer: each endpoint's alias, plan trees and lock holder (the system's words where the model has none). */
export async function readZone(dns: DnsClient, names: Names, endpoints: number): Promise<{ alias: Json[]; trees: Json[]; lockHolder: Json[] }> {
  let byName: ReturnType<typeof indexRecords>;
  try {
    byName = indexRecords(await dns.transfer());
  } catch (e) {
    throw asSystemError(e);
  }
  const alias: Json[] = [];
  const trees: Json[] = [];
  const lockHolder: Json[] = [];
  for (let k = 0; k < endpoints; k++) {
    const cn = byName.get(names.endpoint(k))?.get(TYPE.CNAME) ?? [];
    if (cn.length === 0) alias.push(0);
    else {
      const target = cn[0].data?.kind === 'name' ? cn[0].data.name : '?';
      alias.push(names.generationOf(target, k) ?? `CNAME ${target}`);
    }
    const gens: number[] = [];
    for (const [name, byType] of byName) {
      const g = names.generationOf(name, k);
      if (g !== undefined && (byType.get(TYPE.A)?.length ?? 0) > 0) gens.push(g);
    }
    trees.push(gens.sort((x, y) => x - y));
    const lock = (byName.get(names.lock(k))?.get(TYPE.TXT) ?? []).map((r) => (r.data?.kind === 'txt' ? r.data.strings.join('') : '?'));
    if (lock.length === 1 && lock[0] === FREE) lockHolder.push(null);
    else if (lock.length === 1 && /^enactor-(0|[1-9]\d*)$/.test(lock[0])) lockHolder.push(Number(lock[0].slice('enactor-'.length)));
    else lockHolder.push(lock.length === 0 ? 'no lock record' : `TXT ${lock.join(', ')}`);
  }
  return { alias, trees, lockHolder };
}

/**
 * The running system as a snapshot for `conform --initial-from-server`: the
 * newest plan in the plan store, and each endpoint's alias, trees and lock
 * from the server (the names under `--zone` and `--prefix`), in the
 * system's numbering (the package's renumbering maps it). The enactors'
 * own state is not on the server: they are taken to be idle, so every lock
 * must be free (a held lock, or a record the protocol does not write, is
 * refused with one line).
 */
export async function snapshot(model: Model, options: DnsSystemOptions): Promise<JsonState> {
  if (options.server === undefined) throw new SystemError('--initial-from-server needs --server HOST:PORT and --tsig-key FILE: the server to read');
  if (options.planStore === undefined)
    throw new SystemError("--initial-from-server needs --plan-store DIR: the folder of the planner's plan-NNNNNN.json files");
  const config = protocolConfig(model);
  const conn = await connect(options);
  let latest: number;
  try {
    latest = new PlanStore(options.planStore).latest();
  } catch (e) {
    throw new SystemError(`--plan-store ${options.planStore}: cannot be read (${(e as Error).message.split('\n')[0].slice(0, 200)})`);
  }
  const dns = new DnsClient(conn.address, conn.zone, conn.key, { timeoutMs: options.timeoutMs ?? 2000 });
  const zone = await readZone(dns, conn.names, config.endpoints);
  zone.alias.forEach((a, k) => {
    if (typeof a !== 'number') throw new SystemError(`${conn.names.endpoint(k)}: the alias is ${String(a)}, which no step of the protocol writes`);
  });
  // A lock record the automation has not written yet is a free lock: the protocol creates it free.
  const lockHolder = zone.lockHolder.map((h) => (h === 'no lock record' ? null : h));
  lockHolder.forEach((h, k) => {
    if (h !== null)
      throw new SystemError(
        `${conn.names.lock(k)}: the lock is ${typeof h === 'number' ? `held by enactor-${h}` : String(h)}; a snapshot from the server takes every enactor to be idle, so every lock must be free (give --initial FILE with the enactors' state instead)`,
      );
  });
  return {
    latest,
    ...zone,
    lockHolder,
    phase: Array.from({ length: config.enactors }, () => IDLE.phase),
    plan: Array.from({ length: config.enactors }, () => IDLE.plan),
    endpoint: Array.from({ length: config.enactors }, () => IDLE.endpoint),
    failures: Array.from({ length: config.enactors }, () => IDLE.failures),
  };
}

/** How steps reach the implementation: through a driver process, or (the benchmark's baseline only) in this process. */
interface Stepper {
  readonly implementation: string;
  step(action: ActionName, actor: number, step: number): Promise<StepDone>;
  reset(): Promise<void>;
  stderr(): string[];
  stop(): Promise<void>;
}

/** The reference implementation in this process: the path the driver protocol replaced, kept as the benchmark's baseline. */
class InProcessStepper implements Stepper {
  private readonly actors: ReferenceActors;
  constructor(
    ctx: Context,
    readonly implementation: string,
  ) {
    const impl = IMPLEMENTATIONS.find((i) => i.name === implementation) ?? IMPLEMENTATIONS[0];
    this.actors = new ReferenceActors(ctx, impl);
  }
  async step(action: ActionName, actor: number): Promise<StepDone> {
    try {
      return await this.actors.step(action, actor);
    } catch (e) {
      throw asSystemError(e);
    }
  }
  async reset(): Promise<void> {
    this.actors.reset();
  }
  stderr(): string[] {
    return [];
  }
  async stop(): Promise<void> {}
}

/** The built-in driver's command line for implementation `name`: driver.js beside this module, or driver.ts through tsx from sources. */
export function builtinDriver(name: string): string[] {
  const here = import.meta.url;
  if (!/\.ts$/.test(new URL(here).pathname)) return [process.execPath, fileURLToPath(new URL('./driver.js', here)), '--impl', name];
  const loader = pathToFileURL(createRequire(here).resolve('tsx')).href;
  return [process.execPath, '--import', loader, fileURLToPath(new URL('./driver.ts', here)), '--impl', name];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isWhole = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const REPLY_KEYS = ['step', 'outcome', 'local', 'saw', 'refused', 'error'];

/** A driver process speaking the protocol of docs/drivers.md. */
class DriverStepper implements Stepper {
  private constructor(
    private readonly proc: DriverProcess,
    readonly implementation: string,
    private readonly config: ProtocolConfig,
  ) {}

  static async start(argv: string[], label: string, timeoutMs: number, start: Record<string, unknown>, config: ProtocolConfig): Promise<DriverStepper> {
    const proc = new DriverProcess(argv, { timeoutMs, label });
    try {
      const r = await proc.request(start, 'start');
      if (typeof r.error === 'string') throw new SystemError(`the driver ${label} could not start: ${r.error}`);
      if (r.ok !== true)
        throw new DriverError('malformed', `the driver ${label} replied to start ${JSON.stringify(r).slice(0, 100)}, not {"ok":true} (docs/drivers.md)`);
      return new DriverStepper(proc, label, config);
    } catch (e) {
      await proc.stop();
      throw e;
    }
  }

  private malformed(what: string, why: string): never {
    throw new DriverError('malformed', `the driver ${this.proc.label} replied to ${what} ${why} (docs/drivers.md)`);
  }

  async step(action: ActionName, actor: number, step: number): Promise<StepDone> {
    const what = `step ${step} (${action} by actor ${actor})`;
    const r = await this.proc.request({ type: 'step', step, action, actor }, what);
    const extra = Object.keys(r).filter((k) => !REPLY_KEYS.includes(k));
    if (extra.length > 0) this.malformed(what, `with the unknown key ${JSON.stringify(extra[0])}`);
    if (r.step !== step) this.malformed(what, `for step ${JSON.stringify(r.step)}`);
    if (r.refused !== undefined) {
      if (typeof r.refused !== 'string') this.malformed(what, 'with "refused" that is not a string');
      throw new ActionRefused(r.refused);
    }
    if (r.error !== undefined) {
      if (typeof r.error !== 'string') this.malformed(what, 'with "error" that is not a string');
      throw new SystemError(`the driver ${this.proc.label} failed at ${what}: ${r.error}`);
    }
    const allowed: readonly string[] = OUTCOMES[action];
    if (typeof r.outcome !== 'string' || !allowed.includes(r.outcome))
      this.malformed(what, `with the outcome ${JSON.stringify(r.outcome)}, not one of ${allowed.join('|')}`);
    const outcome = r.outcome as Outcome;
    if (r.saw !== undefined && !isObject(r.saw)) this.malformed(what, 'with "saw" that is not an object');
    if (action === 'publishPlan') {
      if (r.local !== undefined) this.malformed(what, 'with "local" for the planner, which has no local state');
      return { outcome };
    }
    const l = r.local;
    const c = this.config;
    if (!isObject(l)) this.malformed(what, 'without "local": {phase, plan, endpoint, failures}');
    if (typeof l.phase !== 'string' || !(PHASE_NAMES as readonly string[]).includes(l.phase))
      this.malformed(what, `with local.phase ${JSON.stringify(l.phase)}, not one of ${PHASE_NAMES.join('|')}`);
    if (!isWhole(l.plan, 0, c.plans)) this.malformed(what, `with local.plan ${JSON.stringify(l.plan)}, not a whole number from 0 to ${c.plans}`);
    if (!isWhole(l.endpoint, 0, c.endpoints - 1))
      this.malformed(what, `with local.endpoint ${JSON.stringify(l.endpoint)}, not a whole number from 0 to ${c.endpoints - 1}`);
    if (!isWhole(l.failures, 0, c.maxBackoff))
      this.malformed(what, `with local.failures ${JSON.stringify(l.failures)}, not a whole number from 0 to ${c.maxBackoff}`);
    const local = { phase: l.phase, plan: l.plan, endpoint: l.endpoint, failures: l.failures } as Local;
    if (!OUTCOME_PHASES[outcome].includes(local.phase)) this.malformed(what, `the outcome ${outcome} with local.phase ${local.phase}`);
    return { outcome, local };
  }

  async reset(): Promise<void> {
    const r = await this.proc.request({ type: 'reset' }, 'reset');
    if (typeof r.error === 'string') throw new SystemError(`the driver ${this.proc.label} could not reset: ${r.error}`);
    if (r.ok !== true)
      throw new DriverError(
        'malformed',
        `the driver ${this.proc.label} replied to reset ${JSON.stringify(r).slice(0, 100)}, not {"ok":true} (docs/drivers.md)`,
      );
  }

  stderr(): string[] {
    return this.proc.stderr();
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}

/** A started run: the implementation's actors (through their driver), and the server they talk to. */
export class DnsRun implements RunningSystem {
  /** Each enactor's local state, as its steps' replies gave it. */
  private locals: Local[];
  private steps = 0;
  constructor(
    readonly description: string,
    readonly startMs: number | undefined,
    readonly ctx: Context,
    private readonly stepper: Stepper,
    private readonly cleanup: () => Promise<void>,
    /** The private `named` of this run (its pid and directory), or null on a server named by address. */
    readonly named: { readonly pid: number; readonly dir: string } | null = null,
  ) {
    this.locals = Array.from({ length: ctx.config.enactors }, () => IDLE);
  }

  get implementation(): string {
    return this.stepper.implementation;
  }

  /** Back to the protocol's start: an empty plan store, the zone reset (one transaction), idle actors. */
  async reset(): Promise<void> {
    this.ctx.store.clear();
    try {
      await resetZone(this.ctx.dns, this.ctx.names, this.ctx.config.endpoints);
    } catch (e) {
      throw asSystemError(e);
    }
    await this.stepper.reset();
    this.locals = this.locals.map(() => IDLE);
    this.steps = 0;
  }

  async perform(action: string, actor: number): Promise<void> {
    if (!(ACTIONS as readonly string[]).includes(action)) throw new ActionRefused(`the dns system has no action ${action}`);
    const done = await this.stepper.step(action as ActionName, actor, ++this.steps);
    if (done.local) {
      if (actor < 0 || actor >= this.locals.length) throw new DriverError('malformed', `the driver replied a step of enactor ${actor}, which does not exist`);
      this.locals[actor] = done.local;
    }
  }

  stderr(): string[] {
    return this.stepper.stderr();
  }

  /** The real state in the model's JSON form: latest from the plan store, alias/trees/lockHolder from a zone transfer, the rest from the enactors. */
  async observe(): Promise<JsonState> {
    const zone = await readZone(this.ctx.dns, this.ctx.names, this.ctx.config.endpoints);
    return {
      latest: this.ctx.store.latest(),
      ...zone,
      phase: this.locals.map((e) => e.phase),
      plan: this.locals.map((e) => e.plan),
      endpoint: this.locals.map((e) => e.endpoint),
      failures: this.locals.map((e) => e.failures),
    };
  }

  /** Each endpoint's name, queried for A records: the rcode, the CNAME chain and the addresses, as the server answers. */
  async resolve(): Promise<Resolution[]> {
    const out: Resolution[] = [];
    try {
      for (let k = 0; k < this.ctx.config.endpoints; k++) {
        const name = this.ctx.names.endpoint(k);
        const m = await this.ctx.dns.query(name, TYPE.A);
        const answers = m.answers.map((r) => ({
          name: r.name,
          type: typeName(r.type),
          data:
            r.data === null
              ? ''
              : r.data.kind === 'a'
                ? r.data.address
                : r.data.kind === 'name'
                  ? r.data.name
                  : r.data.kind === 'txt'
                    ? r.data.strings.join('')
                    : '',
        }));
        // The server rotates the records of an rrset between answers; within an rrset they are listed in order, so runs print the same.
        const rank = new Map<string, number>();
        answers.forEach((x, i) => {
          if (!rank.has(`${x.name} ${x.type}`)) rank.set(`${x.name} ${x.type}`, i);
        });
        answers.sort(
          (x, y) => (rank.get(`${x.name} ${x.type}`) ?? 0) - (rank.get(`${y.name} ${y.type}`) ?? 0) || (x.data < y.data ? -1 : x.data > y.data ? 1 : 0),
        );
        out.push({ name, rcode: rcodeName(m.rcode), answers });
      }
    } catch (e) {
      throw asSystemError(e);
    }
    return out;
  }

  stop(): Promise<void> {
    return this.cleanup();
  }
}

/** Starts a run: the server (private, or the one named), a fresh plan store, the run's names claimed and reset, the driver started. */
async function start(model: Model, options: DnsSystemOptions = {}): Promise<DnsRun> {
  if (model.name !== 'dns') throw new SystemError(`the dns system re-enacts traces of the dns model, not of ${model.name}`);
  const config = protocolConfig(model);
  const impl = options.impl ?? 'reference';
  if (!IMPLEMENTATIONS.some((i) => i.name === impl))
    throw new SystemError(`the dns system's implementations are ${IMPLEMENTATIONS.map((i) => i.name).join(', ')}, not ${String(options.impl)}`);
  const conn = await connect(options);
  const storeDir = makeRunDir('plans');
  const dns = new DnsClient(conn.address, conn.zone, conn.key, { timeoutMs: options.timeoutMs ?? 2000 });
  const ctx: Context = { dns, names: conn.names, store: new PlanStore(storeDir), config };
  let stepper: Stepper | null = null;
  let claimed = false;
  let stopped: Promise<void> | null = null;
  const cleanup = (): Promise<void> => {
    stopped ??= (async () => {
      await stepper?.stop();
      if (claimed && !conn.named) await releaseNames(dns, conn.names, config.endpoints);
      removeRunDir(storeDir);
      await conn.named?.stop();
    })();
    return stopped;
  };
  try {
    await claimNames(dns, conn.names, config.endpoints, options.wipe === true);
    claimed = true;
    if (options.inProcess) stepper = new InProcessStepper(ctx, impl);
    else {
      const argv = options.driver !== undefined ? splitCommand(options.driver) : builtinDriver(impl);
      const label = options.driver ?? impl;
      stepper = await DriverStepper.start(
        argv,
        label,
        options.driverTimeoutMs ?? DEFAULT_DRIVER_TIMEOUT_MS,
        {
          type: 'start',
          protocol: 1,
          server: conn.address,
          zone: conn.zone,
          base: conn.names.base,
          tsig: { name: conn.key.name, algorithm: 'hmac-sha256', secret: conn.key.secret.toString('base64') },
          planStore: storeDir,
          params: model.params,
          timeoutMs: options.timeoutMs ?? 2000,
        },
        config,
      );
    }
  } catch (e) {
    await cleanup();
    throw e;
  }
  return new DnsRun(conn.description, conn.startMs, ctx, stepper, cleanup, conn.named ? { pid: conn.named.pid, dir: conn.named.dir } : null);
}

/** The dns model's system adapter (the model package loads it when a command uses the system). */
export const dnsSystem: SystemAdapter<DnsSystemOptions> = {
  flags: DNS_FLAGS,
  options: dnsOptions,
  start,
  implementations: IMPLEMENTATIONS.map(({ name, help }) => ({ name, help })),
  snapshot,
  normaliseLogs: renumberPlans,
  calibrate: (runs) => calibrateDns(runs),
};
