/**
 * `dnsmc reenact` as users run it: the counterexamples `dnsmc check` and
 * `dnsmc replay` write, performed on a private BIND 9 started for each run
 * (a real `named`, never a mock), step by step against the model.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { replay } from '../../checker/model/replay.js';
import { dnsModel } from '../../models/dns/model.js';
import { a, DnsClient, txt } from '../../systems/dns/messages.js';
import { startNamed } from '../../systems/dns/server.js';
import { TYPE } from '../../systems/dns/wire.js';
import { traceFromReplay } from '../../traces/trace.js';
import { run } from '../support/cli.js';
import { namedRunningIn, namedsStartedHere } from '../support/named.js';
import { planPublishedIn, runDirsIn, spawnDnsmc, waitForOrExit, waitUntil, writeKeyFile } from '../systems/dns/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-reenact-'));
const file = (name: string): string => join(dir, name);
const json = (text: string) =>
  JSON.parse(text) as {
    status: string;
    conforms: boolean;
    steps: { conforms: boolean }[];
    resolution: { name: string; rcode: string; answers: { type: string; data: string }[] }[];
    server: { version: string; startMs: number };
  };

const nameds = namedsStartedHere;

describe('dnsmc reenact on a private BIND 9', () => {
  const before = nameds();
  beforeAll(async () => {
    expect((await run(['check', '--variant', 'as-was', '--property', 'aliasResolves', '--trace-out', file('race.json')])).code).toBe(1);
    expect((await run(['replay', file('race.json'), '--variant', 'fixed', '--trace-out', file('fixed.json')])).code).toBe(0);
    expect((await run(['check', '--variant', 'as-was', '--endpoints', '2', '--property', 'aliasResolves', '--trace-out', file('race2.json')])).code).toBe(1);
    expect((await run(['check', '--variant', 'as-was', '--property', 'recoverable', '--trace-out', file('stuck.json')])).code).toBe(1);
  });

  it('the as-was race: exit 1, every step conforms, and the name answers NXDOMAIN on the real server', async () => {
    const r = await run(['reenact', file('race.json'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const j = json(r.stdout);
    expect(j.status).toBe('violation');
    expect(j.conforms).toBe(true);
    expect(j.steps).toHaveLength(13);
    expect(j.steps.every((s) => s.conforms)).toBe(true);
    expect(j.resolution).toEqual([
      { name: 'e0.ddb.example.', rcode: 'NXDOMAIN', answers: [{ name: 'e0.ddb.example.', type: 'CNAME', data: 'plan-1.e0.ddb.example.' }] },
    ]);
    expect(j.server.version).toMatch(/^BIND 9\./);
  });

  it('the text report narrates each step with the model and the system side by side', async () => {
    const r = await run(['reenact', file('race.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('step 11  =        enactor 0 points the top alias at plan 1, older than the active plan 3, and releases the lock');
    expect(r.stdout).toContain('alias[0]: model 1, system 1');
    expect(r.stdout).toContain('aliasResolves breaks at step 12');
    expect(r.stdout).toContain('e0.ddb.example.: NXDOMAIN (CNAME plan-1.e0.ddb.example.)');
  });

  it('the race replayed under fixed: exit 0, and the name resolves to plan 3’s addresses', async () => {
    const r = await run(['reenact', file('fixed.json'), '--json']);
    expect(r.code).toBe(0);
    const j = json(r.stdout);
    expect(j.conforms).toBe(true);
    expect(j.resolution[0].rcode).toBe('NOERROR');
    expect(j.resolution[0].answers.map((a) => `${a.type} ${a.data}`)).toEqual(['CNAME plan-3.e0.ddb.example.', 'A 192.0.2.3', 'A 198.51.100.3']);
  });

  it('the two-endpoint race: endpoint 0 answers NXDOMAIN, endpoint 1 still resolves', async () => {
    const r = await run(['reenact', file('race2.json'), '--json']);
    expect(r.code).toBe(1);
    const j = json(r.stdout);
    expect(j.conforms).toBe(true);
    expect(j.resolution.map((x) => [x.name, x.rcode])).toEqual([
      ['e0.ddb.example.', 'NXDOMAIN'],
      ['e1.ddb.example.', 'NOERROR'],
    ]);
  });

  it('the recoverable counterexample (a lasso) conforms, and the endpoint stays broken', async () => {
    const r = await run(['reenact', file('stuck.json'), '--json']);
    expect(r.code).toBe(1);
    const j = json(r.stdout);
    expect(j.conforms).toBe(true);
    expect(j.resolution[0].rcode).toBe('NXDOMAIN');
  });

  it('--trace-out annotates the trace with what the server held, and --view shows it beside the model', async () => {
    const r = await run(['reenact', file('race.json'), '--trace-out', file('race-real.json'), '--view', file('race-real.html')]);
    expect(r.code).toBe(1);
    const t = JSON.parse(readFileSync(file('race-real.json'), 'utf8'));
    expect(t.reenacted.observed).toHaveLength(13);
    expect(t.reenacted.observed[12].trees).toEqual([[3]]);
    expect(t.reenacted.resolution[0].rcode).toBe('NXDOMAIN');
    // The annotated trace is still a trace: view and replay read it.
    expect((await run(['replay', file('race-real.json')])).code).toBe(1);
    expect(readFileSync(file('race-real.html'), 'utf8')).toContain('data-test');
    // dnsmc view shows the recorded records beside the model's, saying whose word they are; a forged one is refused.
    expect((await run(['view', file('race-real.json'), '--out', file('race-real-2.html')])).code).toBe(0);
    expect(readFileSync(file('race-real-2.html'), 'utf8')).toContain('on the real system, as the file records it');
    const forged = JSON.parse(readFileSync(file('race-real.json'), 'utf8'));
    forged.reenacted.observed[3].latest = 99;
    writeFileSync(file('forged-real.json'), JSON.stringify(forged));
    const r2 = await run(['view', file('forged-real.json'), '--out', file('forged-real.html')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('field reenacted.observed[3]');
  });

  it('no server, a wrong TSIG key, a trace of another model: one line each, exit 2', async () => {
    const server = await startNamed();
    const right = writeKeyFile(server);
    const wrong = writeKeyFile(server, Buffer.alloc(32, 9));
    try {
      // The server given, with its own key: the race conforms there too.
      expect((await run(['reenact', file('race.json'), '--server', `127.0.0.1:${server.port}`, '--tsig-key', right.file, '--endpoints', '1'])).code).toBe(1);
      const bad = await run(['reenact', file('race.json'), '--server', `127.0.0.1:${server.port}`, '--tsig-key', wrong.file, '--endpoints', '1']);
      expect(bad).toMatchObject({
        code: 2,
        stdout: '',
        stderr: "dnsmc: the server refused the TSIG signature (BADSIG): the secret of key dnsmc-run is not the server's\n",
      });
    } finally {
      right.remove();
      wrong.remove();
      await server.stop();
    }
    const down = await run(['reenact', file('race.json'), '--server', '127.0.0.1:9', '--tsig-key', file('race.json'), '--endpoints', '1']);
    expect(down.code).toBe(2);
    expect(down.stderr.split('\n')).toHaveLength(2);
    expect(down.stderr).toMatch(/^dnsmc: /);
    expect((await run(['reenact', file('race.json'), '--server', '127.0.0.1:9'])).stderr).toBe(
      'dnsmc: --server and --tsig-key go together: the key the server accepts signed updates with\n',
    );
    const other = JSON.stringify({ ...JSON.parse(readFileSync(file('race.json'), 'utf8')), model: 'counter', params: { n: 3 } });
    writeFileSync(file('other.json'), other);
    const o = await run(['reenact', file('other.json')]);
    expect(o.code).toBe(2);
    expect(o.stderr.split('\n')).toHaveLength(2);
  });

  it('leaves no named running', () => {
    expect(nameds().filter((p) => !before.includes(p))).toEqual([]);
  });
});

/** A long trace of the dns model: enactor 1 tries the lock enactor 0 holds, backs off and retries, `rounds` times. */
function longTrace(rounds: number): string {
  const model = dnsModel({ variant: 'fixed' });
  const schedule = [
    { action: 'publishPlan', actor: 0 },
    { action: 'pickPlan', actor: 0 },
    { action: 'pickPlan', actor: 1 },
    { action: 'acquireLock', actor: 0 },
  ];
  for (let i = 0; i < rounds; i++) schedule.push({ action: 'acquireLock', actor: 1 }, { action: 'retryLock', actor: 1 });
  const r = replay(model, model.init[0], schedule);
  expect(r.failure).toBeUndefined();
  const f = file(`long-${rounds}.json`);
  writeFileSync(f, JSON.stringify(traceFromReplay(model, r, 'aliasResolves', 'invariant')));
  return f;
}

describe('dnsmc reenact stopped by a signal (the binary)', () => {
  const total = 2 * 1500 + 4;
  let long = '';
  beforeAll(() => {
    long = longTrace(1500);
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal}: reports the steps performed (stoppedBy interrupted), writes the annotated trace whole, exit ${code}; no folder or named left`, async () => {
      const s = spawnDnsmc(['reenact', long, '--json', '--trace-out', file(`long-${signal}.json`)]);
      // Under way once the plan store holds plan 1 (step 1).
      expect(await waitForOrExit(() => planPublishedIn(s.tmp, 'plans'), s)).toBe(true);
      const dirs = runDirsIn(s.tmp);
      expect(dirs.length).toBe(2);
      s.child.kill(signal);
      const r = await s.done;
      expect(r.code).toBe(code);
      const j = JSON.parse(r.stdout) as { stoppedBy: string; status: string; steps: unknown[]; resolution: unknown };
      expect(j.stoppedBy).toBe('interrupted');
      expect(j.status).toBe('ok');
      expect(j.steps.length).toBeGreaterThan(1);
      expect(j.steps.length).toBeLessThan(total + 1);
      const t = JSON.parse(readFileSync(file(`long-${signal}.json`), 'utf8')) as { reenacted: { observed: unknown[]; stoppedBy: string } };
      expect(t.reenacted).toMatchObject({ stoppedBy: 'interrupted' });
      expect(t.reenacted.observed).toHaveLength(j.steps.length);
      expect(runDirsIn(s.tmp)).toEqual([]);
      expect(namedRunningIn([s.tmp])).toEqual([]);
    });
  }

  it('SIGHUP: the process dies of it, its folders (named.conf with the secret) removed and its named stopped', async () => {
    const s = spawnDnsmc(['reenact', long, '--json']);
    expect(await waitForOrExit(() => planPublishedIn(s.tmp, 'plans'), s)).toBe(true);
    s.child.kill('SIGHUP');
    const r = await s.done;
    expect(r.signal).toBe('SIGHUP');
    expect(runDirsIn(s.tmp)).toEqual([]);
    expect(await waitUntil(() => namedRunningIn([s.tmp]).length === 0, 10_000)).toBe(true);
  });

  it('SIGKILL: the watchdog stops named and removes its folder; the next run removes the plan store the dead run left', async () => {
    const s = spawnDnsmc(['reenact', long, '--json']);
    expect(await waitForOrExit(() => planPublishedIn(s.tmp, 'plans'), s)).toBe(true);
    s.child.kill('SIGKILL');
    await s.done;
    expect(await waitUntil(() => namedRunningIn([s.tmp]).length === 0 && runDirsIn(s.tmp).every((d) => !d.includes('dnsmc-named-')), 15_000)).toBe(true);
    expect(runDirsIn(s.tmp).filter((d) => d.includes('dnsmc-plans-'))).toHaveLength(1);
    const next = spawnDnsmc(['reenact', file('race.json'), '--json'], s.tmp);
    expect((await next.done).code).toBe(1);
    expect(runDirsIn(s.tmp)).toEqual([]);
  });
});

describe('dnsmc reenact: another writer, another server, messages', () => {
  it('a zone another writer changed is a divergence: exit 4, the trace written, and view opens it', async () => {
    const server = await startNamed();
    const key = writeKeyFile(server);
    const other = new DnsClient({ host: server.host, port: server.port }, server.zone, server.key);
    // The other writer: once reenact has reset the zone (the lock record is there), it takes the lock.
    let stop = false;
    const lockName = `_lock.e0.${server.zone}`;
    const writer = (async () => {
      while (!stop) {
        const m = await other.query(lockName, TYPE.TXT);
        if (m.answers.length > 0) {
          await other.update(
            [],
            [
              { kind: 'deleteRrset', name: lockName, type: TYPE.TXT },
              { kind: 'add', name: lockName, type: TYPE.TXT, ttl: 60, data: txt('intruder') },
            ],
          );
          return;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    try {
      const r = await run([
        'reenact',
        file('race.json'),
        '--server',
        `127.0.0.1:${server.port}`,
        '--tsig-key',
        key.file,
        '--endpoints',
        '1',
        '--trace-out',
        file('interfered.json'),
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(4);
      expect(r.stdout).toContain('The system diverged from the model');
      expect(readFileSync(file('interfered.json'), 'utf8')).toContain('intruder');
      const v = await run(['view', file('interfered.json'), '--out', file('interfered.html')]);
      expect(v.stderr).toBe('');
      expect(v.code).toBe(0);
      expect(readFileSync(file('interfered.html'), 'utf8')).toContain('intruder');
    } finally {
      stop = true;
      await writer;
      key.remove();
      await server.stop();
    }
  });

  it('--server on a zone needs --endpoints, equal to the trace’s: otherwise one line, exit 2, and nothing changes on the server', async () => {
    const server = await startNamed();
    const key = writeKeyFile(server);
    const client = new DnsClient({ host: server.host, port: server.port }, server.zone, server.key);
    const mine = `www.e0.${server.zone}`;
    try {
      expect((await client.update([], [{ kind: 'add', name: mine, type: TYPE.A, ttl: 60, data: a('192.0.2.77') }])).rcode).toBe('NOERROR');
      const base = ['reenact', file('race2.json'), '--server', `127.0.0.1:${server.port}`, '--tsig-key', key.file];
      const none = await run(base);
      expect(none.code).toBe(2);
      expect(none.stderr.split('\n')).toHaveLength(2);
      expect(none.stderr).toContain('--server needs --endpoints N');
      expect(none.stderr).toContain('(the trace has 2)');
      const wrong = await run([...base, '--endpoints', '1']);
      expect(wrong).toMatchObject({ code: 2, stdout: '', stderr: 'dnsmc: --endpoints 1 does not match the trace, which has 2\n' });
      expect((await client.query(mine, TYPE.A)).answers.map((x) => (x.data?.kind === 'a' ? x.data.address : ''))).toEqual(['192.0.2.77']);
    } finally {
      key.remove();
      await server.stop();
    }
  });

  it('--server on a zone that already holds a record the run did not create under e0: one line, exit 2, the record intact; --prefix runs beside it, --wipe deletes it; the run leaves its names empty', async () => {
    const server = await startNamed();
    const key = writeKeyFile(server);
    const client = new DnsClient({ host: server.host, port: server.port }, server.zone, server.key);
    const foreign = `www.e0.${server.zone}`;
    const addresses = async (name: string): Promise<string[]> =>
      (await client.query(name, TYPE.A)).answers.map((x) => (x.data?.kind === 'a' ? x.data.address : ''));
    const runNames = async (under: string): Promise<string[]> =>
      [...new Set((await client.transfer()).map((r) => r.name).filter((n) => n === under || n.endsWith(`.${under}`)))].sort();
    try {
      expect((await client.update([], [{ kind: 'add', name: foreign, type: TYPE.A, ttl: 60, data: a('192.0.2.77') }])).rcode).toBe('NOERROR');
      const base = ['reenact', file('race.json'), '--server', `127.0.0.1:${server.port}`, '--tsig-key', key.file, '--endpoints', '1'];
      const refused = await run(base);
      expect(refused).toMatchObject({
        code: 2,
        stdout: '',
        stderr:
          "dnsmc: the zone ddb.example. already holds 1 record at or under the run's names (www.e0.ddb.example. A), which this run did not create; nothing was changed: give --wipe to delete them, or --prefix to run under other names\n",
      });
      expect(await addresses(foreign)).toEqual(['192.0.2.77']);
      expect(await runNames(`_lock.e0.${server.zone}`)).toEqual([]);
      // Under a prefix the run has names of its own: the race is reproduced there, and the foreign record is untouched.
      const prefixed = await run([...base, '--prefix', 'dnsmc-test', '--json']);
      expect(prefixed.code).toBe(1);
      expect((JSON.parse(prefixed.stdout) as { resolution: { name: string; rcode: string }[] }).resolution).toMatchObject([
        { name: `e0.dnsmc-test.${server.zone}`, rcode: 'NXDOMAIN' },
      ]);
      expect(await addresses(foreign)).toEqual(['192.0.2.77']);
      expect(await runNames(`dnsmc-test.${server.zone}`)).toEqual([]);
      // --wipe: the names are the run's; at the end it leaves them empty (the foreign record was wiped).
      expect((await run([...base, '--wipe'])).code).toBe(1);
      expect(await runNames(`e0.${server.zone}`)).toEqual([]);
    } finally {
      key.remove();
      await server.stop();
    }
  });

  it('--server "" and --server with two colons: one line saying what --server takes, exit 2', async () => {
    const empty = await run(['reenact', file('race.json'), '--server', '', '--tsig-key', file('race.json')]);
    expect(empty).toMatchObject({
      code: 2,
      stderr: 'dnsmc: --server must be HOST:PORT of an RFC 2136 server (for example 127.0.0.1:5353), got ""\n',
    });
    const colons = await run(['reenact', file('race.json'), '--server', '127.0.0.1:5399:1', '--tsig-key', file('race.json'), '--endpoints', '1']);
    expect(colons).toMatchObject({
      code: 2,
      stderr: 'dnsmc: --server must be HOST:PORT (for example 127.0.0.1:5353; an IPv6 address in brackets, [::1]:5353), got "127.0.0.1:5399:1"\n',
    });
  });
});
