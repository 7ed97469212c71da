/**
 * The system adapter of the dns model: starts a fresh run of the reference
 * implementation (reference.ts) against a private `named` (server.ts), or
 * against an RFC 2136 server the user names, performs the model's actions
 * one at a time, and maps the real zone, the plan store and the enactors'
 * local state to the model's JSON state.
 */
import type { Json, JsonState } from '../../checker/layout.js';
import type { Model } from '../../checker/model.js';
import type { RunningSystem, SystemAdapter } from '../../checker/package.js';
import { ActionRefused, SystemError } from '../../checker/reenact.js';
import { IMPLEMENTATIONS, type Implementation } from './drifted.js';
import { DnsClient, DnsError } from './messages.js';
import { PlanStore, PlanStoreError } from './plan-store.js';
import { type Enactor, FREE, Names, Planner, VARIANT_FIXES, ZoneChanged, indexRecords, resetZone, type Context, type ProtocolConfig } from './reference.js';
import { makeRunDir, removeRunDir } from './run-dirs.js';
import { ServerError, startNamed, type NamedServer } from './server.js';
import { TsigError, readKeyFile, type TsigKey } from './tsig.js';
import { TYPE, WireError, fqdn, rcodeName, typeName } from './wire.js';

/** Options of the dns system. Without `server`, a private `named` is started for the run. */
export interface DnsSystemOptions {
  /** `HOST:PORT` of an RFC 2136 server to use instead of a private one (needs `tsigKey`). */
  readonly server?: string;
  /** A BIND key file (`key "NAME" { algorithm hmac-sha256; secret "..."; };`) whose key the server accepts updates and transfers with. */
  readonly tsigKey?: string;
  /** The zone (default `ddb.example.`); on another server it must be a zone that server is primary for. */
  readonly zone?: string;
  /** Milliseconds to wait for each answer (default 2000). */
  readonly timeoutMs?: number;
  /** The implementation to run (systems/dns/drifted.ts lists them): `reference` (the default) or a drifted one. */
  readonly impl?: string;
  /** Only for tests: refuse any server address but 127.0.0.1. */
  readonly loopbackOnly?: boolean;
}

/** One name's resolution at the end: the rcode and the answer records (the CNAME chain, then the A records). */
export type Resolution = {
  name: string;
  rcode: string;
  answers: { name: string; type: string; data: string }[];
};

/** The dns model's parameters, as the reference implementation's configuration. */
export function protocolConfig(model: Model): ProtocolConfig {
  const p = model.params;
  const int = (name: string): number => {
    const v = p[name];
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new SystemError(`the dns system needs the model parameter ${name} (a whole number)`);
    return v;
  };
  const variant = typeof p.variant === 'string' ? p.variant : model.variant;
  const fixes = variant !== undefined ? VARIANT_FIXES[variant] : undefined;
  if (!fixes) throw new SystemError(`the dns system knows the variants ${Object.keys(VARIANT_FIXES).join(', ')}, not ${String(variant)}`);
  return { ...fixes, enactors: int('enactors'), plans: int('plans'), endpoints: int('endpoints'), maxBackoff: int('maxBackoff'), keep: int('keep') };
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
function asSystemError(e: unknown): unknown {
  if (e instanceof ZoneChanged) return new ActionRefused(e.message);
  if (e instanceof DnsError || e instanceof TsigError || e instanceof ServerError || e instanceof WireError || e instanceof PlanStoreError)
    return new SystemError(e.message);
  return e;
}

const ACTIONS = ['publishPlan', 'pickPlan', 'acquireLock', 'retryLock', 'buildTree', 'flipAlias', 'cleanupPlans'] as const;
type ActionName = (typeof ACTIONS)[number];

/** A started run: the reference implementation's actors, and the server they talk to. */
export class DnsRun implements RunningSystem {
  readonly planner: Planner;
  readonly enactors: Enactor[];
  constructor(
    readonly description: string,
    readonly startMs: number | undefined,
    readonly ctx: Context,
    private readonly cleanup: () => Promise<void>,
    /** The private `named` of this run (its pid and directory), or null on a server named by address. */
    readonly named: { readonly pid: number; readonly dir: string } | null = null,
    readonly implementation: Implementation = IMPLEMENTATIONS[0],
  ) {
    this.planner = new Planner(ctx);
    this.enactors = Array.from({ length: ctx.config.enactors }, (_, i) => implementation.enactor(i, ctx));
  }

  /** Back to the protocol's start: an empty plan store, idle enactors, the zone reset (one transaction). */
  async reset(): Promise<void> {
    this.ctx.store.clear();
    for (let i = 0; i < this.enactors.length; i++) this.enactors[i] = this.implementation.enactor(i, this.ctx);
    try {
      await resetZone(this.ctx.dns, this.ctx.names, this.ctx.config.endpoints);
    } catch (e) {
      throw asSystemError(e);
    }
  }

  async perform(action: string, actor: number): Promise<void> {
    if (!(ACTIONS as readonly string[]).includes(action)) throw new ActionRefused(`the dns system has no action ${action}`);
    const name = action as ActionName;
    try {
      if (name === 'publishPlan') {
        if (actor !== 0) throw new ActionRefused(`there is one planner (actor 0), not ${actor}`);
        await this.planner.publishPlan();
        return;
      }
      const e = this.enactors[actor];
      if (!e) throw new ActionRefused(`there is no enactor ${actor} (there are ${this.enactors.length})`);
      await e[name]();
    } catch (err) {
      throw asSystemError(err);
    }
  }

  /** The real state in the model's JSON form: latest from the plan store, alias/trees/lockHolder from a zone transfer, the rest from the enactors. */
  async observe(): Promise<JsonState> {
    const { names, config } = this.ctx;
    let byName: ReturnType<typeof indexRecords>;
    try {
      byName = indexRecords(await this.ctx.dns.transfer());
    } catch (e) {
      throw asSystemError(e);
    }
    const alias: Json[] = [];
    const trees: Json[] = [];
    const lockHolder: Json[] = [];
    for (let k = 0; k < config.endpoints; k++) {
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
    return {
      latest: this.ctx.store.latest(),
      alias,
      trees,
      lockHolder,
      phase: this.enactors.map((e) => e.phase),
      plan: this.enactors.map((e) => e.plan),
      endpoint: this.enactors.map((e) => e.endpoint),
      failures: this.enactors.map((e) => e.failures),
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
        answers.sort((x, y) => rank.get(`${x.name} ${x.type}`)! - rank.get(`${y.name} ${y.type}`)! || (x.data < y.data ? -1 : x.data > y.data ? 1 : 0));
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

/** Starts a run: the server (private, or the one named), a fresh plan store, the zone reset to the protocol's start. */
async function start(model: Model, options: DnsSystemOptions = {}): Promise<DnsRun> {
  if (model.name !== 'dns') throw new SystemError(`the dns system re-enacts traces of the dns model, not of ${model.name}`);
  const config = protocolConfig(model);
  const implementation = IMPLEMENTATIONS.find((i) => i.name === (options.impl ?? 'reference'));
  if (!implementation)
    throw new SystemError(`the dns system's implementations are ${IMPLEMENTATIONS.map((i) => i.name).join(', ')}, not ${String(options.impl)}`);
  const zone = fqdn(options.zone ?? 'ddb.example.');
  let server: NamedServer | null = null;
  let address: { host: string; port: number };
  let key: TsigKey;
  let description: string;
  let startMs: number | undefined;
  try {
    if (options.server !== undefined) {
      address = parseServer(options.server, options.loopbackOnly === true);
      if (options.tsigKey === undefined) throw new SystemError('--server needs --tsig-key FILE: the key the server accepts updates with');
      key = readKeyFile(options.tsigKey);
      description = `RFC 2136 server at ${options.server}`;
    } else {
      if (options.tsigKey !== undefined) throw new SystemError('--tsig-key goes with --server (a private server makes its own key)');
      server = await startNamed({ zone });
      address = { host: server.host, port: server.port };
      key = server.key;
      description = `${server.version} (private, 127.0.0.1:${server.port})`;
      startMs = server.startMs;
    }
  } catch (e) {
    throw asSystemError(e);
  }
  const storeDir = makeRunDir('plans');
  let stopped: Promise<void> | null = null;
  const cleanup = (): Promise<void> => {
    stopped ??= (async () => {
      removeRunDir(storeDir);
      await server?.stop();
    })();
    return stopped;
  };
  const dns = new DnsClient(address, zone, key, { timeoutMs: options.timeoutMs ?? 2000 });
  const ctx: Context = { dns, names: new Names(zone), store: new PlanStore(storeDir), config };
  try {
    await resetZone(dns, ctx.names, config.endpoints);
  } catch (e) {
    await cleanup();
    throw asSystemError(e);
  }
  return new DnsRun(description, startMs, ctx, cleanup, server ? { pid: server.pid, dir: server.dir } : null, implementation);
}

/** The dns model's system adapter. */
export const dnsSystem: SystemAdapter<DnsSystemOptions> = {
  start,
  implementations: IMPLEMENTATIONS.map(({ name, help }) => ({ name, help })),
};
