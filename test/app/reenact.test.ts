/**
 * `dnsmc reenact` as users run it: the counterexamples `dnsmc check` and
 * `dnsmc replay` write, performed on a private BIND 9 started for each run
 * (a real `named`, never a mock), step by step against the model.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startNamed } from '../../systems/dns/server.js';
import { run } from '../support/cli.js';
import { namedsStartedHere } from '../support/named.js';
import { writeKeyFile } from '../systems/dns/helpers.js';

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
      expect((await run(['reenact', file('race.json'), '--server', `127.0.0.1:${server.port}`, '--tsig-key', right.file])).code).toBe(1);
      const bad = await run(['reenact', file('race.json'), '--server', `127.0.0.1:${server.port}`, '--tsig-key', wrong.file]);
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
    const down = await run(['reenact', file('race.json'), '--server', '127.0.0.1:9', '--tsig-key', file('race.json')]);
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
