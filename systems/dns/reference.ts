/**
 * The reference implementation of the planner/enactor protocol, as real
 * code against a real RFC 2136 server and a plan store. It is kept apart
 * from the model (models/dns/): it reads no model code, and its steps are
 * methods a scheduler calls one at a time, one method per action of the
 * model, so that any interleaving the checker finds can be driven here.
 *
 * DNS mapping, per endpoint k (E = `e<k>.<zone>`):
 * - the lock is the TXT record `_lock.E`, which always exists and holds
 *   `free` or the holder's name (`enactor-<i>`);
 * - a plan tree is `plan-<N>.E`, with an A record per load balancer of plan N;
 * - the top alias is the CNAME `E -> plan-<N>.E`.
 * docs/real-dns.md gives each step's transaction (prerequisites, updates).
 */
import { ActionRefused } from '../../checker/package/system.js';
import { DnsError, a, cname, txt, type DnsClient, type Prereq, type Update } from './messages.js';
import type { PlanStore, Plan } from './plan-store.js';
import { TYPE, fqdn, type Rr } from './wire.js';

/**
 * The zone is not what the protocol's steps so far made it: a prerequisite
 * failed where, by those steps, none can, or a name holds what no step
 * writes. Something else changed it (another writer, an operator). On a
 * re-enactment this is the system departing from the model (a divergence),
 * not a broken server.
 */
export class ZoneChanged extends Error {
  override name = 'ZoneChanged';
}

/** The rcodes of a failed prerequisite (RFC 2136): the zone's content, not the server, refused the update. */
const PREREQUISITE_FAILED = ['NXRRSET', 'YXRRSET', 'NXDOMAIN', 'YXDOMAIN'];

/** An update the protocol expects to succeed was refused with `rcode`: ZoneChanged for a failed prerequisite, DnsError for the rest. */
function refused(what: string, rcode: string, why = ''): Error {
  return PREREQUISITE_FAILED.includes(rcode)
    ? new ZoneChanged(`${what}: the server answered ${rcode}${why}: the zone is not as the steps so far left it (something else changed it)`)
    : new DnsError(`${what}: the server answered ${rcode}`);
}

/** The two fixes of the protocol (the reference implementation's own switches). */
export interface Fixes {
  /** After taking the lock, give up unless the plan is newer than the active one. */
  readonly recheckUnderLock: boolean;
  /** Cleanup never deletes the tree the top alias points at. */
  readonly cleanerSparesActive: boolean;
}

/** The protocol variants, by name. */
export const VARIANT_FIXES: Readonly<Record<string, Fixes>> = {
  'as-was': { recheckUnderLock: false, cleanerSparesActive: false },
  fixed: { recheckUnderLock: true, cleanerSparesActive: true },
  'recheck-only': { recheckUnderLock: true, cleanerSparesActive: false },
  'spare-active-only': { recheckUnderLock: false, cleanerSparesActive: true },
};

/** What a run of the protocol is configured with. */
export interface ProtocolConfig extends Fixes {
  readonly enactors: number;
  /** The planner publishes generations 1 .. plans, then stops. */
  readonly plans: number;
  readonly endpoints: number;
  /** The failed-lock counter saturates here. */
  readonly maxBackoff: number;
  /** Cleanup deletes generation g when g + keep < the plan applied. */
  readonly keep: number;
}

/** A model parameter the protocol's configuration needs is missing or not a whole number, or the variant is unknown. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The protocol's configuration from the model's parameters (their JSON form: `variant`, `enactors`, ...). */
export function protocolConfigOf(p: Readonly<Record<string, unknown>>, variant = p.variant): ProtocolConfig {
  const int = (name: string): number => {
    const v = p[name];
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConfigError(`the dns system needs the model parameter ${name} (a whole number)`);
    return v;
  };
  const fixes = typeof variant === 'string' ? VARIANT_FIXES[variant] : undefined;
  if (!fixes) throw new ConfigError(`the dns system knows the variants ${Object.keys(VARIANT_FIXES).join(', ')}, not ${String(variant)}`);
  return { ...fixes, enactors: int('enactors'), plans: int('plans'), endpoints: int('endpoints'), maxBackoff: int('maxBackoff'), keep: int('keep') };
}

export const FREE = 'free';
export const TTL = 60;
export const holderName = (enactor: number): string => `enactor-${enactor}`;

/**
 * The names of one run: under `zone`, and under the labels `prefix` when
 * given (`e0.PREFIX.ZONE`): nothing else is touched.
 */
export class Names {
  readonly zone: string;
  /** The domain the endpoints' names are under: the zone, or `PREFIX.ZONE`. */
  readonly base: string;
  constructor(zone: string, prefix = '') {
    this.zone = fqdn(zone);
    this.base = prefix === '' ? this.zone : `${prefix}.${this.zone}`;
  }
  endpoint(k: number): string {
    return `e${k}.${this.base}`;
  }
  /** Whether `name` is endpoint k's name or under it (the names a run of `endpoints` endpoints owns). */
  owns(name: string, endpoints: number): boolean {
    for (let k = 0; k < endpoints; k++) {
      const e = this.endpoint(k);
      if (name === e || name.endsWith(`.${e}`)) return true;
    }
    return false;
  }
  lock(k: number): string {
    return `_lock.${this.endpoint(k)}`;
  }
  tree(generation: number, k: number): string {
    return `plan-${generation}.${this.endpoint(k)}`;
  }
  /** The generation a tree name stands for, if `name` is a tree of endpoint k. */
  generationOf(name: string, k: number): number | undefined {
    const suffix = `.${this.endpoint(k)}`;
    if (!name.endsWith(suffix)) return undefined;
    const m = /^plan-([1-9]\d*)$/.exec(name.slice(0, -suffix.length));
    return m ? Number(m[1]) : undefined;
  }
}

/** The load balancers of plan `generation` for endpoint k: data only, in TEST-NET ranges, never contacted. */
export function planAddresses(generation: number, k: number): string[] {
  return [`192.0.2.${generation % 256}`, `198.51.100.${generation % 256}`, ...(k > 0 ? [`203.0.113.${k % 256}`] : [])];
}

/** What every step needs: the server, the names, the plan store and the configuration. */
export interface Context {
  readonly dns: DnsClient;
  readonly names: Names;
  readonly store: PlanStore;
  readonly config: ProtocolConfig;
}

export const lockIs = (ctx: Context, k: number, value: string): Prereq => ({
  kind: 'rrsetEquals',
  name: ctx.names.lock(k),
  type: TYPE.TXT,
  data: [txt(value)],
});

/** Moves the lock of endpoint k from `from` to `to` in one transaction that requires it to hold exactly `from`. */
export async function swapLock(ctx: Context, k: number, from: string, to: string): Promise<string> {
  const r = await ctx.dns.update(
    [lockIs(ctx, k, from)],
    [
      { kind: 'deleteRr', name: ctx.names.lock(k), type: TYPE.TXT, data: txt(from) },
      { kind: 'add', name: ctx.names.lock(k), type: TYPE.TXT, ttl: TTL, data: txt(to) },
    ],
  );
  return r.rcode;
}

/** The generation the top alias of endpoint k points at (0 when it has no CNAME), by a query. */
export async function readAlias(ctx: Context, k: number): Promise<number> {
  const m = await ctx.dns.query(ctx.names.endpoint(k), TYPE.CNAME);
  if (m.rcode !== 0 && m.rcode !== 3) throw new DnsError(`reading the alias ${ctx.names.endpoint(k)}: the server answered rcode ${m.rcode}`);
  const rr = m.answers.find((r) => r.type === TYPE.CNAME && r.name === ctx.names.endpoint(k));
  if (!rr) return 0;
  const target = rr.data?.kind === 'name' ? rr.data.name : '';
  const g = ctx.names.generationOf(target, k);
  if (g === undefined)
    throw new ZoneChanged(
      `the alias ${ctx.names.endpoint(k)} points at ${target}, which is no plan tree of it: no step writes that (something else changed the zone)`,
    );
  return g;
}

/** Prerequisites that pin the top alias of endpoint k to what was read (`active`, 0 for none). */
export function aliasIs(ctx: Context, k: number, active: number): Prereq {
  return active === 0
    ? { kind: 'rrsetAbsent', name: ctx.names.endpoint(k), type: TYPE.CNAME }
    : { kind: 'rrsetEquals', name: ctx.names.endpoint(k), type: TYPE.CNAME, data: [cname(ctx.names.tree(active, k))] };
}

/** The planner: writes versioned plans to the plan store. */
export class Planner {
  constructor(private readonly ctx: Context) {}

  /** Writes the next generation (the newest plus one), listing each endpoint's load balancers. */
  async publishPlan(): Promise<void> {
    const latest = this.ctx.store.latest();
    if (latest >= this.ctx.config.plans) throw new ActionRefused(`the planner has published all ${this.ctx.config.plans} plans`);
    const g = latest + 1;
    const plan: Plan = {
      generation: g,
      endpoints: Array.from({ length: this.ctx.config.endpoints }, (_, k) => ({ endpoint: k, addresses: planAddresses(g, k) })),
    };
    this.ctx.store.publish(plan);
  }
}

export const PHASE_NAMES = ['idle', 'lock', 'backoff', 'build', 'flip', 'cleanup'] as const;
export type Phase = (typeof PHASE_NAMES)[number];

/**
 * One enactor. Its local state (phase, plan, endpoint, failures) lives
 * here; everything shared lives in DNS and the plan store. Each method is
 * one step: it checks the enactor is in the phase the step belongs to
 * (ActionRefused otherwise), does its reads and its one transaction, and
 * moves to the next phase.
 */
export class Enactor {
  phase: Phase = 'idle';
  plan = 0;
  endpoint = 0;
  failures = 0;

  constructor(
    readonly id: number,
    protected readonly ctx: Context,
  ) {}

  get name(): string {
    return holderName(this.id);
  }

  protected expect(phase: Phase, step: string): void {
    if (this.phase !== phase) throw new ActionRefused(`enactor ${this.id} cannot ${step}: it is in phase ${this.phase}, not ${phase}`);
  }

  protected becomeIdle(): void {
    this.phase = 'idle';
    this.plan = 0;
    this.endpoint = 0;
    this.failures = 0;
  }

  /** Whether buildTree checks, under the lock, that its plan is newer than the active one (the recheck fix). */
  protected recheckUnderLock(): boolean {
    return this.ctx.config.recheckUnderLock;
  }

  /** Whether cleanup spares each endpoint's active tree, requiring the aliases it read to be unchanged (the cleanup fix). */
  protected sparesActive(): boolean {
    return this.ctx.config.cleanerSparesActive;
  }

  /** Picks up the newest plan, after checking once that some endpoint's alias is behind it. */
  async pickPlan(): Promise<void> {
    this.expect('idle', 'pick up a plan');
    const latest = this.ctx.store.latest();
    let behind = false;
    for (let k = 0; k < this.ctx.config.endpoints && !behind; k++) behind = (await readAlias(this.ctx, k)) < latest;
    if (!behind) throw new ActionRefused(`enactor ${this.id} finds no endpoint behind plan ${latest}`);
    this.plan = latest;
    this.endpoint = 0;
    this.failures = 0;
    this.phase = 'lock';
  }

  /** Tries to take the endpoint's lock: one UPDATE requiring `_lock.E` to equal {"free"}, replacing it by its name. */
  async acquireLock(): Promise<void> {
    this.expect('lock', 'take the lock');
    const rcode = await swapLock(this.ctx, this.endpoint, FREE, this.name);
    if (rcode === 'NOERROR') {
      this.failures = 0;
      this.phase = 'build';
    } else if (rcode === 'NXRRSET') {
      this.failures = Math.min(this.failures + 1, this.ctx.config.maxBackoff);
      this.phase = 'backoff';
    } else {
      throw refused(`taking the lock ${this.ctx.names.lock(this.endpoint)}`, rcode);
    }
  }

  /** After backing off, goes back to trying the lock. */
  async retryLock(): Promise<void> {
    this.expect('backoff', 'retry the lock');
    this.phase = 'lock';
  }

  protected async releaseLock(k: number): Promise<void> {
    const rcode = await swapLock(this.ctx, k, this.name, FREE);
    if (rcode !== 'NOERROR') throw refused(`enactor ${this.id} releasing ${this.ctx.names.lock(k)}`, rcode, ' (the lock is not its own)');
  }

  /**
   * Under the lock, builds its plan tree. The transaction requires the lock
   * to be its own, the alias to be what it read, and the active plan's tree
   * to exist: when that tree is gone it fails (NXRRSET) and the enactor gives
   * up, releasing the lock. With the recheck fix, it first gives up unless
   * its plan is newer than the active one.
   */
  async buildTree(): Promise<void> {
    this.expect('build', 'build its tree');
    const k = this.endpoint;
    const active = await readAlias(this.ctx, k);
    if (this.recheckUnderLock() && this.plan <= active) {
      await this.releaseLock(k);
      this.becomeIdle();
      return;
    }
    const plan = this.ctx.store.read(this.plan);
    const mine = plan.endpoints.find((p) => p.endpoint === k);
    if (!mine) throw new DnsError(`plan ${this.plan} lists no load balancers for endpoint ${k}`);
    const prereqs: Prereq[] = [lockIs(this.ctx, k, this.name), aliasIs(this.ctx, k, active)];
    if (active !== 0) prereqs.push({ kind: 'rrsetExists', name: this.ctx.names.tree(active, k), type: TYPE.A });
    const updates: Update[] = mine.addresses.map((ip) => ({ kind: 'add', name: this.ctx.names.tree(this.plan, k), type: TYPE.A, ttl: TTL, data: a(ip) }));
    const r = await this.ctx.dns.update(prereqs, updates);
    if (r.rcode === 'NOERROR') {
      this.phase = 'flip';
      return;
    }
    if (r.rcode !== 'NXRRSET' || (await readAlias(this.ctx, k)) !== active) {
      throw refused(`building ${this.ctx.names.tree(this.plan, k)}`, r.rcode);
    }
    // The active plan's tree is gone (or the lock is not ours: releasing then fails and says so).
    await this.releaseLock(k);
    this.becomeIdle();
  }

  /** Points the top alias at its plan tree and releases the lock, in one transaction requiring the lock to be its own. */
  async flipAlias(): Promise<void> {
    this.expect('flip', 'flip the alias');
    const k = this.endpoint;
    const r = await this.ctx.dns.update(
      [lockIs(this.ctx, k, this.name)],
      [
        { kind: 'deleteRrset', name: this.ctx.names.endpoint(k), type: TYPE.CNAME },
        { kind: 'add', name: this.ctx.names.endpoint(k), type: TYPE.CNAME, ttl: TTL, data: cname(this.ctx.names.tree(this.plan, k)) },
        { kind: 'deleteRr', name: this.ctx.names.lock(k), type: TYPE.TXT, data: txt(this.name) },
        { kind: 'add', name: this.ctx.names.lock(k), type: TYPE.TXT, ttl: TTL, data: txt(FREE) },
      ],
    );
    if (r.rcode !== 'NOERROR') throw refused(`enactor ${this.id} flipping ${this.ctx.names.endpoint(k)}`, r.rcode);
    if (k + 1 < this.ctx.config.endpoints) {
      this.endpoint = k + 1;
      this.failures = 0;
      this.phase = 'lock';
    } else {
      this.phase = 'cleanup';
    }
  }

  /**
   * Deletes, on every endpoint, the trees of generations g with
   * g + keep < its plan, in one transaction. With the fix it spares each
   * endpoint's active tree: it reads the aliases, and the transaction
   * requires them unchanged (if one moved meanwhile, it reads again).
   */
  async cleanupPlans(): Promise<void> {
    this.expect('cleanup', 'clean up');
    const { endpoints, keep } = this.ctx.config;
    const cleanerSparesActive = this.sparesActive();
    for (let attempt = 0; ; attempt++) {
      const prereqs: Prereq[] = [];
      const updates: Update[] = [];
      for (let k = 0; k < endpoints; k++) {
        const active = cleanerSparesActive ? await readAlias(this.ctx, k) : -1;
        if (cleanerSparesActive) prereqs.push(aliasIs(this.ctx, k, active));
        for (let g = 1; g + keep < this.plan; g++) {
          if (g !== active) updates.push({ kind: 'deleteRrset', name: this.ctx.names.tree(g, k), type: TYPE.A });
        }
      }
      if (updates.length === 0) break;
      const r = await this.ctx.dns.update(prereqs, updates);
      if (r.rcode === 'NOERROR') break;
      if (r.rcode !== 'NXRRSET' || attempt >= 4) throw refused(`enactor ${this.id} cleaning up after plan ${this.plan}`, r.rcode);
    }
    this.becomeIdle();
  }
}

/** The zone's records, grouped: name -> type -> records. */
export function indexRecords(records: readonly Rr[]): Map<string, Map<number, Rr[]>> {
  const out = new Map<string, Map<number, Rr[]>>();
  for (const rr of records) {
    let byType = out.get(rr.name);
    if (!byType) out.set(rr.name, (byType = new Map()));
    const list = byType.get(rr.type);
    if (list) list.push(rr);
    else byType.set(rr.type, [rr]);
  }
  return out;
}

/**
 * The records at or under the run's names (each endpoint's name, for
 * `endpoints` endpoints), by a zone transfer: what a reset deletes.
 */
export async function recordsOwned(dns: DnsClient, names: Names, endpoints: number): Promise<Rr[]> {
  return (await dns.transfer()).filter((rr) => names.owns(rr.name, endpoints));
}

/**
 * Deletes every name at or under each endpoint's name (left by an earlier
 * run, or by this one), and, unless `clear` only, creates each lock holding
 * `free`: the protocol's start. One transaction.
 */
export async function resetZone(dns: DnsClient, names: Names, endpoints: number, options: { clearOnly?: boolean } = {}): Promise<void> {
  const updates: Update[] = [];
  const seen = new Set<string>();
  for (const rr of await recordsOwned(dns, names, endpoints)) {
    if (!seen.has(rr.name)) {
      seen.add(rr.name);
      updates.push({ kind: 'deleteName', name: rr.name });
    }
  }
  if (!options.clearOnly) for (let k = 0; k < endpoints; k++) updates.push({ kind: 'add', name: names.lock(k), type: TYPE.TXT, ttl: TTL, data: txt(FREE) });
  if (updates.length === 0) return;
  const r = await dns.update([], updates);
  if (r.rcode !== 'NOERROR') throw new DnsError(`setting up the names under ${names.base}: the server answered ${r.rcode}`);
}
