/**
 * The model's counterexamples re-enacted on a real BIND 9 server through the
 * reference implementation: every step conforms, the properties break on
 * the real zone where they break in the model, and the endpoint's name
 * answers as the model says (NXDOMAIN after the as-was race, plan 3's
 * addresses under the fixed protocol).
 */
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayTrace } from '../../../app/replay.js';
import { check } from '../../../checker/explore/bfs.js';
import { checkModelLiveness } from '../../../checker/liveness/liveness.js';
import { firstBreaks, replay } from '../../../checker/model/replay.js';
import type { RunningSystem } from '../../../checker/package/system.js';
import { reenact, reenactExitCode, type ReenactInput, type ReenactReport } from '../../../checker/runs/system-run.js';
import { SystemError } from '../../../checker/package/system.js';
import { DnsClient, txt } from '../../../systems/dns/messages.js';
import { TYPE } from '../../../systems/dns/wire.js';
import { scheduleArb } from '../../../checker/random/arbitrary.js';
import { dnsModel } from '../../../models/dns/model.js';
import { VARIANTS, type DnsParams } from '../../../models/dns/params.js';
import { type DnsRun, dnsSystem, type DnsSystemOptions } from '../../../systems/dns/adapter.js';
import { VARIANT_FIXES } from '../../../systems/dns/reference.js';
import { startNamed, freePort, type NamedServer } from '../../../systems/dns/server.js';
import { traceOf, traceOfLasso, type Trace } from '../../../traces/trace.js';
import { alive, namedRunningIn, writeKeyFile } from './helpers.js';

/** Every private named these tests started. */
const started: { pid: number; dir: string }[] = [];

/** Starts a fresh system for `model`, re-enacts `trace`, always stops it. */
async function run(model: ReturnType<typeof dnsModel>, trace: ReenactInput, options: DnsSystemOptions = {}): Promise<ReenactReport> {
  const sys = (await dnsSystem.start(model, options)) as DnsRun;
  try {
    if (sys.named) started.push(sys.named);
    else expect(options.server).toBeDefined();
    return await reenact(model, trace, sys);
  } finally {
    await sys.stop();
  }
}

const race = (p: Partial<DnsParams> = {}): { model: ReturnType<typeof dnsModel>; trace: Trace } => {
  const model = dnsModel({ variant: 'as-was', ...p });
  const r = check(model, { properties: ['aliasResolves'] });
  return { model, trace: traceOf(model, r.violations[0]) };
};

const cname = (k: number, g: number) => ({ name: `e${k}.ddb.example.`, type: 'CNAME', data: `plan-${g}.e${k}.ddb.example.` });
const aRecords = (k: number, g: number, extra: string[] = []) =>
  [`192.0.2.${g}`, `198.51.100.${g}`, ...extra].sort().map((data) => ({ name: `plan-${g}.e${k}.ddb.example.`, type: 'A', data }));

/** The model's own property breaks along the trace (re-derived), as reenact reports them. */
function modelBreaks(model: ReturnType<typeof dnsModel>, trace: Trace) {
  const vec = model.layout.vector();
  model.layout.fromJson(trace.initial, vec);
  return firstBreaks(model, replay(model, model.layout.toPlain(vec), trace.steps)).map((b) => ({ ...b }));
}

describe('the reference implementation’s variants', () => {
  it('are the model’s variants, with the same fixes', () => {
    expect(VARIANT_FIXES).toEqual(VARIANTS);
  });
});

describe('re-enacting on a private named', () => {
  it('the as-was race: all 12 steps conform, noRollback and aliasResolves break on the real zone, and the name answers NXDOMAIN', async () => {
    const { model, trace } = race();
    expect(trace.steps).toHaveLength(12);
    const r = await run(model, trace);
    expect(r.status).toBe('violation');
    expect(reenactExitCode(r)).toBe(1);
    expect(r.conforms).toBe(true);
    expect(r.steps).toHaveLength(13);
    expect(r.steps.every((s) => s.conforms && s.diff.length === 0)).toBe(true);
    for (const s of r.steps) expect(s.observed).toEqual(s.model);
    expect(r.unobserved).toEqual([]);
    expect(r.breaks.map((b) => [b.property, b.step])).toEqual([
      ['noRollback', 11],
      ['aliasResolves', 12],
    ]);
    expect(r.breaks).toEqual(modelBreaks(model, trace));
    expect(r.steps[12].observed).toMatchObject({ alias: [1], trees: [[3]], lockHolder: [null] });
    // BIND follows the CNAME to plan-1, which no longer exists: NXDOMAIN, with the CNAME in the answer.
    expect(r.resolution).toEqual([{ name: 'e0.ddb.example.', rcode: 'NXDOMAIN', answers: [cname(0, 1)] }]);
    expect(r.server.description).toMatch(/^BIND 9\.\S+ \(private, 127\.0\.0\.1:\d+\)$/);
    expect(r.server.startMs).toBeGreaterThan(0);
  });

  it('the same schedule replayed under fixed (it diverges from the race at step 10) conforms, and the name resolves to plan 3', async () => {
    const { trace } = race();
    const model = dnsModel({ variant: 'fixed' });
    const replayed = replayTrace(trace, model);
    expect(replayed.firstDivergence?.step).toBe(10);
    const r = await run(model, replayed.trace);
    expect(r.steps).toHaveLength(replayed.trace.steps.length + 1);
    expect(r.status).toBe('ok');
    expect(reenactExitCode(r)).toBe(0);
    expect(r.breaks).toEqual([]);
    expect(r.resolution).toEqual([{ name: 'e0.ddb.example.', rcode: 'NOERROR', answers: [cname(0, 3), ...aRecords(0, 3)] }]);
  });

  it('the race on a system running the fixed protocol diverges at step 10, where the fixed enactor gives up', async () => {
    const { model, trace } = race();
    const sys = (await dnsSystem.start(dnsModel({ variant: 'fixed' }), {})) as DnsRun;
    started.push(sys.named!);
    try {
      const r = await reenact(model, trace, sys);
      expect(r.status).toBe('diverged');
      expect(reenactExitCode(r)).toBe(4);
      expect(r.divergence).toEqual({
        step: 10,
        fields: ['trees[0]', 'lockHolder[0]', 'phase[0]', 'plan[0]'],
        text: 'step 10: trees[0] is [3] on the system, [1,3] in the model; lockHolder[0] is null on the system, 0 in the model; phase[0] is "idle" on the system, "flip" in the model; plan[0] is 0 on the system, 1 in the model',
      });
      expect(r.steps).toHaveLength(11);
      expect(r.steps[10].observed).toMatchObject({ alias: [3], trees: [[3]] });
    } finally {
      await sys.stop();
    }
  });

  it('the two-endpoint race conforms: endpoint 0 answers NXDOMAIN, endpoint 1 still resolves to plan 3; under fixed both resolve', async () => {
    const { model, trace } = race({ endpoints: 2 });
    expect(trace.steps).toHaveLength(15);
    const r = await run(model, trace);
    expect(r.status).toBe('violation');
    expect(r.conforms).toBe(true);
    expect(r.breaks).toEqual(modelBreaks(model, trace));
    expect(r.breaks.map((b) => [b.property, b.step])).toEqual([
      ['noRollback', 13],
      ['aliasResolves', 15],
    ]);
    expect(r.resolution).toEqual([
      { name: 'e0.ddb.example.', rcode: 'NXDOMAIN', answers: [cname(0, 1)] },
      { name: 'e1.ddb.example.', rcode: 'NOERROR', answers: [cname(1, 3), ...aRecords(1, 3, ['203.0.113.1'])] },
    ]);
    const fixed = dnsModel({ variant: 'fixed', endpoints: 2 });
    const f = await run(fixed, replayTrace(trace, fixed).trace);
    expect(f.status).toBe('ok');
    expect(f.resolution).toEqual([
      { name: 'e0.ddb.example.', rcode: 'NOERROR', answers: [cname(0, 3), ...aRecords(0, 3)] },
      { name: 'e1.ddb.example.', rcode: 'NOERROR', answers: [cname(1, 3), ...aRecords(1, 3, ['203.0.113.1'])] },
    ]);
  });

  it('the recoverable counterexample (a lasso of 23 steps, the loop run once) conforms: the enactors fail on the dangling alias on the real server too', async () => {
    const model = dnsModel({ variant: 'as-was' });
    const live = checkModelLiveness(model, { properties: ['recoverable'] });
    const trace = traceOfLasso(model, live.verdicts[0]);
    expect(trace.steps).toHaveLength(23);
    expect(trace.loop).toBe(14);
    const r = await run(model, trace);
    expect(r.conforms).toBe(true);
    expect(r.status).toBe('violation');
    expect(r.breaks).toEqual(modelBreaks(model, trace));
    // The loop: every buildTree in it gives up on the real server (NXRRSET on the dangling alias's tree).
    const loopBuilds = r.steps.slice(15).filter((s) => s.action === 'buildTree');
    expect(loopBuilds.length).toBeGreaterThan(0);
    for (const s of loopBuilds) expect((s.observed!.phase as string[])[s.actor!]).toBe('idle');
    expect(r.resolution).toEqual([{ name: 'e0.ddb.example.', rcode: 'NXDOMAIN', answers: [cname(0, 1)] }]);
  });
});

describe('re-enacting on a server named by address and key', () => {
  let server: NamedServer;
  let key: ReturnType<typeof writeKeyFile>;
  beforeAll(async () => {
    server = await startNamed();
    started.push({ pid: server.pid, dir: server.dir });
    key = writeKeyFile(server);
  });
  afterAll(async () => {
    key?.remove();
    await server?.stop();
  });
  const opts = (): DnsSystemOptions => ({ server: `127.0.0.1:${server.port}`, tsigKey: key.file, loopbackOnly: true });

  it('random schedules of every variant conform step by step (one server, the zone reset before each run)', async () => {
    for (const variant of Object.keys(VARIANTS) as (keyof typeof VARIANTS)[]) {
      const model = dnsModel({ variant, endpoints: 2, enactors: 2, plans: 3, keep: 0 });
      await fc.assert(
        fc.asyncProperty(scheduleArb(model, { maxSteps: 30 }), async (schedule) => {
          const r = await run(model, { steps: schedule.steps }, opts());
          expect(r.divergence).toBeNull();
          expect(r.steps).toHaveLength(schedule.steps.length + 1);
        }),
        { numRuns: 8, seed: 12 },
      );
    }
  });

  it('a zone another writer changed between two steps is a divergence (the step refused, saying so), not an error of the server', async () => {
    const { model, trace } = race();
    const sys = (await dnsSystem.start(model, opts())) as DnsRun;
    const other = new DnsClient({ host: server.host, port: server.port }, server.zone, server.key);
    const lockName = `_lock.e0.${server.zone}`;
    // Just before enactor 1 flips (step 8, holding the lock), someone else takes the lock.
    const interfered: RunningSystem = {
      description: sys.description,
      observe: () => sys.observe(),
      perform: async (action, actor) => {
        if (action === 'flipAlias' && actor === 1) {
          await other.update(
            [],
            [
              { kind: 'deleteRrset', name: lockName, type: TYPE.TXT },
              { kind: 'add', name: lockName, type: TYPE.TXT, ttl: 60, data: txt('intruder') },
            ],
          );
        }
        return sys.perform(action, actor);
      },
      stop: () => sys.stop(),
    };
    try {
      const r = await reenact(model, trace, interfered);
      expect(r.status).toBe('diverged');
      expect(reenactExitCode(r)).toBe(4);
      expect(r.divergence?.step).toBe(8);
      expect(r.steps[8].refused).toContain('enactor 1 flipping e0.ddb.example.: the server answered NXRRSET');
      expect(r.steps[8].refused).toContain('something else changed it');
    } finally {
      await sys.stop();
    }
  });

  it('a wrong TSIG key is one error', async () => {
    const bad = writeKeyFile(server, Buffer.alloc(32, 9));
    try {
      await expect(dnsSystem.start(dnsModel(), { ...opts(), tsigKey: bad.file })).rejects.toThrow(
        new SystemError("the server refused the TSIG signature (BADSIG): the secret of key dnsmc-run is not the server's"),
      );
    } finally {
      bad.remove();
    }
  });

  it('a server that is not running, a missing key file, a bad address, a non-loopback address in tests, another model: one error each', async () => {
    const port = await freePort();
    await expect(dnsSystem.start(dnsModel(), { ...opts(), server: `127.0.0.1:${port}` })).rejects.toThrow(
      new SystemError(`no DNS server answers at 127.0.0.1:${port} (connection refused)`),
    );
    await expect(dnsSystem.start(dnsModel(), { ...opts(), tsigKey: '/nonexistent/key.conf' })).rejects.toThrow(
      new SystemError('cannot read TSIG key file /nonexistent/key.conf: ENOENT'),
    );
    await expect(dnsSystem.start(dnsModel(), { server: `127.0.0.1:${server.port}` })).rejects.toThrow('--server needs --tsig-key FILE');
    await expect(dnsSystem.start(dnsModel(), { ...opts(), server: 'localhost' })).rejects.toThrow(
      '--server must be HOST:PORT (for example 127.0.0.1:5353; an IPv6 address in brackets, [::1]:5353), got "localhost"',
    );
    await expect(dnsSystem.start(dnsModel(), { ...opts(), server: '10.0.0.1:53' })).rejects.toThrow('--server 10.0.0.1:53: only 127.0.0.1 is allowed here');
    // Two colons: refused as it is, not looked up as the host "127.0.0.1:5399".
    await expect(dnsSystem.start(dnsModel(), { ...opts(), server: '127.0.0.1:5399:1' })).rejects.toThrow(
      new SystemError('--server must be HOST:PORT (for example 127.0.0.1:5353; an IPv6 address in brackets, [::1]:5353), got "127.0.0.1:5399:1"'),
    );
    const other = { ...dnsModel(), name: 'counter' };
    await expect(dnsSystem.start(other, opts())).rejects.toThrow('the dns system re-enacts traces of the dns model, not of counter');
  });

  it('a step the reference implementation cannot take is refused, not faked', async () => {
    const model = dnsModel();
    const sys = await dnsSystem.start(model, opts());
    try {
      await expect(sys.perform('buildTree', 0)).rejects.toThrow('enactor 0 cannot build its tree: it is in phase idle, not build');
      await expect(sys.perform('pickPlan', 0)).rejects.toThrow('enactor 0 finds no endpoint behind plan 0');
      await expect(sys.perform('publishPlan', 1)).rejects.toThrow('there is one planner (actor 0), not 1');
      await expect(sys.perform('dance', 0)).rejects.toThrow('the dns system has no action dance');
    } finally {
      await sys.stop();
    }
  });
});

describe('cleanup', () => {
  it('no named started by these tests is left running, and their directories are gone', () => {
    expect(started.length).toBe(7);
    expect(namedRunningIn(started.map((s) => s.dir))).toEqual([]);
    expect(started.filter((s) => alive(s.pid) || existsSync(s.dir))).toEqual([]);
  });
});
