/**
 * The built-in driver of the dns system: the reference implementation (or,
 * with `--impl NAME`, a drifted one of drifted.ts) behind the driver
 * protocol of docs/drivers.md, exactly as a team's driver in another
 * language is run: `node driver.js [--impl NAME]`, JSON lines on stdin and
 * stdout. `dnsmc test-system` and `reenact` run it for `--impl`.
 */
import { createInterface } from 'node:readline';
import { ActionRefused } from '../../checker/package/system.js';
import { ReferenceActors } from './actors.js';
import { IMPLEMENTATIONS } from './drifted.js';
import { DnsClient, DnsError } from './messages.js';
import { PlanStore, PlanStoreError } from './plan-store.js';
import { ConfigError, Names, protocolConfigOf, type Context } from './reference.js';
import { TsigError } from './tsig.js';
import { WireError } from './wire.js';

type Message = Record<string, unknown>;

const reply = (m: Message): void => {
  process.stdout.write(`${JSON.stringify(m)}\n`);
};

/** Errors of the server, the key, the plan store or the start message: replied as `error` (the system failed), not a crash. */
const systemFault = (e: unknown): e is Error =>
  e instanceof DnsError || e instanceof TsigError || e instanceof WireError || e instanceof PlanStoreError || e instanceof ConfigError;

function implementationFromArgs(argv: readonly string[]) {
  const i = argv.indexOf('--impl');
  const name = i >= 0 ? argv[i + 1] : 'reference';
  const impl = IMPLEMENTATIONS.find((x) => x.name === name);
  if (!impl) {
    process.stderr.write(`driver: --impl must be one of ${IMPLEMENTATIONS.map((x) => x.name).join('|')}, got ${String(name)}\n`);
    process.exit(2);
  }
  return impl;
}

function start(m: Message, impl: ReturnType<typeof implementationFromArgs>): ReferenceActors {
  const server = m.server as { host: string; port: number };
  const tsig = m.tsig as { name: string; secret: string };
  const dns = new DnsClient(
    server,
    String(m.zone),
    { name: tsig.name, secret: Buffer.from(tsig.secret, 'base64') },
    {
      timeoutMs: typeof m.timeoutMs === 'number' ? m.timeoutMs : 2000,
    },
  );
  const zone = String(m.zone);
  const base = String(m.base);
  const prefix = base === zone ? '' : base.slice(0, -zone.length - 1);
  const ctx: Context = {
    dns,
    names: new Names(zone, prefix),
    store: new PlanStore(String(m.planStore)),
    config: protocolConfigOf(m.params as Record<string, unknown>),
  };
  return new ReferenceActors(ctx, impl);
}

async function main(): Promise<void> {
  const impl = implementationFromArgs(process.argv.slice(2));
  let actors: ReferenceActors | null = null;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const m = JSON.parse(line) as Message;
    try {
      if (m.type === 'start') {
        actors = start(m, impl);
        reply({ ok: true, implementation: impl.name });
      } else if (m.type === 'reset') {
        actors?.reset();
        reply({ ok: true });
      } else if (m.type === 'step') {
        if (!actors) throw new Error('a step before start');
        try {
          const done = await actors.step(String(m.action), Number(m.actor));
          reply({ step: m.step, ...done });
        } catch (e) {
          if (e instanceof ActionRefused) reply({ step: m.step, refused: e.message });
          else throw e;
        }
      } else {
        throw new Error(`unknown message type ${JSON.stringify(m.type)}`);
      }
    } catch (e) {
      if (!systemFault(e)) throw e;
      reply({ ...(m.type === 'step' ? { step: m.step } : {}), error: e.message });
    }
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`driver: ${e.stack ?? e.message}\n`);
    process.exit(70);
  },
);
