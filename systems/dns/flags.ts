/**
 * The dns system's own flags, as the model package declares them (the
 * commands offer them from there), and their reading into the options the
 * adapter and the storm take. Importable without loading the DNS client.
 */
import type { Model } from '../../checker/model/model.js';
import type { FaultDecl, SystemCommand, SystemFlag } from '../../checker/package/system.js';
import { SystemError } from '../../checker/package/system.js';
import { splitCommand } from '../command-words.js';
import { DNS_IMPLEMENTATIONS } from './implementations.js';

/** Options of the dns system. Without `server`, a private `named` is started for the run. */
export interface DnsSystemOptions {
  /** `HOST:PORT` of an RFC 2136 server to use instead of a private one (needs `tsigKey`). */
  readonly server?: string;
  /** A BIND key file (`key "NAME" { algorithm hmac-sha256; secret "..."; };`) whose key the server accepts updates and transfers with. */
  readonly tsigKey?: string;
  /** The zone (default `ddb.example.`); on another server it must be a zone that server is primary for. */
  readonly zone?: string;
  /** Labels the run's names go under: `e0.PREFIX.ZONE` (default: none, `e0.ZONE`). */
  readonly prefix?: string;
  /** Delete records already at or under the run's names before it starts (otherwise the run refuses to start). */
  readonly wipe?: boolean;
  /** Milliseconds to wait for each DNS answer (default 2000). */
  readonly timeoutMs?: number;
  /** A built-in implementation (its driver, driver.ts): `reference` (the default) or a drifted one. */
  readonly impl?: string;
  /** The command line of a driver (docs/drivers.md) that runs the implementation instead. */
  readonly driver?: string;
  /** Milliseconds a driver has to reply to each message (default 10000). */
  readonly driverTimeoutMs?: number;
  /** `conform --initial-from-server`: the plan store's folder (the planner's plan-NNNNNN.json files). */
  readonly planStore?: string;
  /** Only for tests: refuse any server address but 127.0.0.1. */
  readonly loopbackOnly?: boolean;
  /** Only for the benchmark: the reference implementation in this process, not behind the driver protocol (the path the protocol replaced). */
  readonly inProcess?: boolean;
}

export const DEFAULT_ZONE = 'ddb.example.';
export const DEFAULT_DRIVER_TIMEOUT_MS = 10_000;

const RUNS: readonly SystemCommand[] = ['reenact', 'test-system'];
/** The flags that name a server and its names: every command that reaches the system, conform's snapshot included. */
const SERVER: readonly SystemCommand[] = ['reenact', 'test-system', 'storm', 'conform'];

/** The flags of the dns system. */
export const DNS_FLAGS: readonly SystemFlag[] = [
  { name: 'server', type: 'string', commands: SERVER, help: 'HOST:PORT of an RFC 2136 server to use instead of a private named (with --tsig-key)' },
  { name: 'tsigKey', type: 'string', commands: SERVER, help: 'a BIND key file (hmac-sha256) the server accepts signed updates and transfers with' },
  {
    name: 'zone',
    type: 'string',
    commands: SERVER,
    help: `the zone the run's names are in (with --server: a zone the server is primary for) [${DEFAULT_ZONE}]`,
  },
  {
    name: 'prefix',
    type: 'string',
    commands: SERVER,
    help: "labels the run's names go under: e<k>.PREFIX.ZONE, and nothing else is touched [none: e<k>.ZONE]",
  },
  {
    name: 'wipe',
    type: 'bool',
    help: "delete the records already at or under the run's names before it starts (without it, such records make the run refuse, changing nothing)",
  },
  {
    name: 'endpoints',
    type: 'string',
    commands: ['reenact'],
    help: "with --server: the trace's endpoint count, confirmed (the names e0 .. e<N-1> are reset)",
  },
  {
    name: 'planStore',
    type: 'string',
    commands: ['conform'],
    help: "with --initial-from-server: the planner's plan store, a folder of plan-NNNNNN.json files (its newest is the snapshot's latest plan)",
  },
  {
    name: 'impl',
    type: 'string',
    commands: RUNS,
    help: `a built-in implementation, run as a driver${DNS_IMPLEMENTATIONS.map((i) => `; ${i.name}: ${i.help}`).join('')} [reference]`,
  },
  { name: 'driver', type: 'string', commands: RUNS, help: 'the command line of your implementation, speaking JSON lines on stdin/stdout (docs/drivers.md)' },
  {
    name: 'driverTimeout',
    type: 'string',
    commands: RUNS,
    help: `milliseconds the driver has to reply to each message; past it the run ends, exit 6 [${DEFAULT_DRIVER_TIMEOUT_MS}]`,
  },
];

const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));
/** Labels of letters, digits and hyphens, dot-separated (a trailing dot allowed). */
const DOMAIN = /^(?!-)[A-Za-z0-9-]{1,63}(?:\.(?!-)[A-Za-z0-9-]{1,63})*\.?$/;

function text(flag: string, v: unknown, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new SystemError(`--${flag} must be ${what}, got ${shown(v)}`);
  return v;
}

function whole(flag: string, v: unknown, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new SystemError(`--${flag} must be a whole number from ${min} to ${max}, got ${shown(v)}`);
  return n;
}

/** Reads the dns system's flags (camelCase names, as given) for `command` on `model`. */
export function dnsOptions(flags: Readonly<Record<string, unknown>>, command: SystemCommand, model: Model): DnsSystemOptions {
  const server = text('server', flags.server, 'HOST:PORT of an RFC 2136 server (for example 127.0.0.1:5353)');
  const tsigKey = text('tsig-key', flags.tsigKey, 'a key file');
  if ((server === undefined) !== (tsigKey === undefined))
    throw new SystemError('--server and --tsig-key go together: the key the server accepts signed updates with');
  const zone = text('zone', flags.zone, 'a domain name (for example ddb.example.)');
  if (zone !== undefined && !DOMAIN.test(zone)) throw new SystemError(`--zone must be a domain name (for example ddb.example.), got ${shown(zone)}`);
  const prefix = text('prefix', flags.prefix, 'one or more labels (for example dnsmc-test)');
  if (prefix !== undefined && (!DOMAIN.test(prefix) || prefix.endsWith('.')))
    throw new SystemError(`--prefix must be one or more labels of letters, digits and hyphens (for example dnsmc-test), got ${shown(prefix)}`);
  if (flags.wipe !== undefined && typeof flags.wipe !== 'boolean') throw new SystemError(`--wipe is a switch, got ${shown(flags.wipe)}`);
  const wipe = flags.wipe === true;
  if (command === 'reenact') {
    // On the user's server, the trace's endpoint count decides which names are reset: the user must say it too.
    const endpoints = whole('endpoints', flags.endpoints, 1, Number.MAX_SAFE_INTEGER);
    const traced = model.params.endpoints;
    if (server !== undefined && endpoints === undefined)
      throw new SystemError(
        `--server needs --endpoints N: the run resets the names of the trace's endpoints on ${server}'s zone, and that count must come from you, not only from the trace file${typeof traced === 'number' ? ` (the trace has ${traced})` : ''}`,
      );
    if (endpoints !== undefined && endpoints !== traced)
      throw new SystemError(`--endpoints ${endpoints} does not match the trace, which has ${typeof traced === 'number' ? traced : 'no endpoints parameter'}`);
  }
  const names = DNS_IMPLEMENTATIONS.map((i) => i.name as string);
  const impl = flags.impl;
  if (impl !== undefined && (typeof impl !== 'string' || !names.includes(impl)))
    throw new SystemError(`--impl must be one of ${names.join('|')}, got ${shown(impl)}`);
  const driver = text('driver', flags.driver, 'the command line of a driver (docs/drivers.md)');
  if (driver !== undefined) {
    if (impl !== undefined) throw new SystemError('--impl and --driver both name the implementation to run: give one');
    try {
      splitCommand(driver);
    } catch (e) {
      throw new SystemError(`--driver ${shown(driver)}: ${(e as Error).message}`);
    }
  }
  const driverTimeoutMs = whole('driver-timeout', flags.driverTimeout, 1, 3_600_000);
  const planStore = text('plan-store', flags.planStore, 'a folder of plan-NNNNNN.json files');
  return { server, tsigKey, zone, prefix, wipe, impl: impl as string | undefined, driver, driverTimeoutMs, planStore };
}

/** The storm (the dns system's workload): what `--help` says of it, and its faults. */
export const STORM_HELP = 'run the reference implementation for real (a planner, concurrent enactors, a prober); log every step';
export const STORM_FAULTS: readonly FaultDecl[] = [
  { kind: 'slow', role: 'enactor', help: 'the enactor that waits --delay MS before each of its lock attempts (it falls behind, as in the postmortem)' },
];
