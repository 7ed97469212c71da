/**
 * The viewer page as bytes: embedding, the security policy, alignment of two
 * traces. What the page shows in a browser is tested in test/browser/.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { replayTrace } from '../../app/replay.js';
import { viewerPage } from '../../app/view.js';
import { dnsPresentation } from '../../models/dns/picture.js';
import { check } from '../../checker/explore/bfs.js';
import { dnsModel } from '../../models/dns/model.js';
import { kernelOf } from '../../checker/model/kernel.js';
import { replay, type ScheduleStep } from '../../checker/model/replay.js';
import { naiveMutexModel } from '../../models/toys/index.js';
import { traceFromReplay, traceOf, type Trace } from '../../traces/trace.js';
import { alignTraces, firstDivergence, scriptSafeJson, viewerHtml } from '../../traces/viewer.js';

const asWas = dnsModel({ variant: 'as-was' });
const fixed = dnsModel({ variant: 'fixed' });
const race = traceOf(asWas, check(asWas, { properties: ['aliasResolves'] }).violations[0]);
const replayed = replayTrace(race, fixed).trace;
type Explained = { critical: { before: number; after: number; text: string }[]; movable: string[]; edges: { from: number; to: number; why: string }[] };
const HOSTILE = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><!-- \u2028\u2029 & </SCRIPT >';

/** The page's JSON data block and inline script. */
function parts(html: string): { data: unknown; script: string; scripts: number } {
  const data = /<script type="application\/json" id="dnsmc-data">([^<]*)<\/script>/.exec(html);
  const script = /<script>([\s\S]*?)<\/script>/.exec(html);
  return { data: JSON.parse(data![1]), script: script![1], scripts: html.split('<script').length - 1 };
}

describe('embedding an untrusted trace', () => {
  it('scriptSafeJson escapes < > & U+2028 U+2029 and still parses to the same value', () => {
    const v = { s: HOSTILE, n: [1, null, 'a'] };
    const j = scriptSafeJson(v);
    expect(j).not.toMatch(/[<>&\u2028\u2029]/);
    expect(j).toContain('\\u003c/script\\u003e');
    expect(j).toContain('\\u2028\\u2029');
    expect(JSON.parse(j)).toEqual(v);
  });

  it('hostile strings anywhere in a trace stay inside the data block: the page has exactly its two script elements', () => {
    const hostile: Trace = {
      ...race,
      variant: HOSTILE,
      property: HOSTILE,
      params: { ...race.params, [HOSTILE]: HOSTILE },
      breaks: race.breaks.map((b) => ({ ...b, property: HOSTILE, explanation: HOSTILE })),
      steps: race.steps.map((s) => ({ ...s, narration: HOSTILE, role: HOSTILE, action: HOSTILE })),
    };
    const html = viewerHtml([{ trace: hostile, label: HOSTILE }, { trace: hostile }]);
    const { data, scripts } = parts(html);
    expect(scripts).toBe(2);
    expect(html).not.toContain('</script><script>window');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<!--');
    expect((data as { panes: { trace: Trace }[] }).panes[0].trace).toEqual(hostile);
    // The only place trace text could reach outside the data block is nowhere: the rest of the page is fixed.
    const outside = html.replace(/<script type="application\/json" id="dnsmc-data">[^<]*<\/script>/, '');
    expect(outside).not.toContain('pwned');
    expect(outside).toBe(viewerHtml([{ trace: race }]).replace(/<script type="application\/json" id="dnsmc-data">[^<]*<\/script>/, ''));
  });

  it('fuzz: markup, comments, script ends and U+2028 in every text a page shows (lane titles, labels, pictures, alternatives too) stay in the data block', () => {
    const FUZZ = [
      '</script><script>window.__pwned=1</script>',
      '<img src=x onerror="window.__pwned=2">',
      '<!-- x -->',
      'a\u2028b\u2029c',
      '</SCRIPT >',
      '<style>',
      ']]>',
    ];
    const block = /<script type="application\/json" id="dnsmc-data">[^<]*<\/script>/;
    const plain = viewerPage({ trace: race, model: asWas, presentation: dnsPresentation }, { trace: replayed, model: fixed, presentation: dnsPresentation });
    for (const h of FUZZ) {
      const model = { ...asWas, actorName: (role: string, actor: number) => `${h} ${role} ${actor}` };
      const presentation = {
        ...dnsPresentation,
        lanes: () => ({ lanes: [{ id: 'endpoint 0', label: h }], of: () => 'endpoint 0' }),
        label: () => h,
        picture: () => ({ tag: 'p', text: h, attrs: { title: h, 'data-x': h }, class: h, field: h }),
      };
      const t: Trace = {
        ...race,
        variant: h,
        property: h,
        params: { ...race.params, [h]: h },
        breaks: race.breaks.map((b) => ({ ...b, property: h, explanation: h })),
        steps: race.steps.map((s) => ({ ...s, narration: h, role: h, action: h, patches: s.patches.map((q) => ({ ...q, path: [h, 0] })) })),
      };
      const html = viewerPage({ trace: t, model, presentation, label: h }, { trace: replayed, model: fixed, presentation, label: h });
      const { data, scripts } = parts(html);
      expect(scripts, h).toBe(2);
      expect(html, h).not.toMatch(/<!--|<img|<style>\s*<|[\u2028\u2029]/);
      expect(html.split('<style').length - 1, h).toBe(1);
      // The strings are all in the data, unchanged once parsed...
      const d = data as { title: string; panes: { label: string; lanes: { label: string }[]; labels: string[] }[]; nodes: { text?: string }[] };
      expect(d.panes[0].label, h).toBe(h);
      expect(
        d.panes[0].lanes.map((l) => l.label),
        h,
      ).toContain(h);
      expect(d.panes[0].labels[1], h).toBe(h);
      expect(
        d.nodes.some((n) => n.text === h),
        h,
      ).toBe(true);
      // ... and nowhere else: outside the data block the page is the same as a plain one.
      expect(html.replace(block, ''), h).toBe(plain.replace(block, ''));
    }
  });

  it('a Content-Security-Policy allows no network and only the page’s own script, by its hash', () => {
    const html = viewerPage({ trace: race, model: asWas, presentation: dnsPresentation });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1];
    const { script } = parts(html);
    const hash = createHash('sha256').update(script, 'utf8').digest('base64');
    expect(csp.split('; ')).toEqual(
      expect.arrayContaining([
        "default-src 'none'",
        `script-src 'sha256-${hash}'`,
        "connect-src 'none'",
        "img-src 'none'",
        "form-action 'none'",
        "base-uri 'none'",
      ]),
    );
    expect(csp).not.toContain('unsafe');
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<script'));
    // Nothing to fetch: no URL but the SVG namespace, no src or href attributes.
    expect(html.match(/https?:\/\/[^'"\s)]*/g)).toEqual(['http://www.w3.org/2000/svg']);
    expect(html).not.toMatch(/\s(src|href)=/);
    // The script never parses markup.
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });

  it('is deterministic: the same trace gives the same bytes', () => {
    expect(viewerPage({ trace: race, model: asWas, presentation: dnsPresentation })).toBe(
      viewerPage({ trace: race, model: asWas, presentation: dnsPresentation }),
    );
  });
});

describe('what the page is given', () => {
  it('dns: lanes for the planner, the three enactors and endpoint 0’s records; the array fields from the model', () => {
    const { data } = parts(viewerPage({ trace: race, model: asWas, presentation: dnsPresentation }));
    const d = data as { title: string; rows: unknown[]; panes: { lanes: { label: string }[]; marks: { targets: string[] }[]; arrays: string[] }[] };
    expect(d.title).toBe('dns (as-was): aliasResolves violated after 12 steps');
    expect(d.rows).toHaveLength(13);
    expect(d.panes[0].lanes.map((l) => l.label)).toEqual(['the planner', 'enactor 0', 'enactor 1', 'enactor 2', 'endpoint 0 (Route 53)']);
    expect(d.panes[0].marks.filter((m) => m.targets.length > 0)).toHaveLength(7);
    expect(d.panes[0].arrays).toEqual(['alias', 'trees', 'lockHolder', 'phase', 'plan', 'endpoint', 'failures']);
    // What the violation depends on, as dnsmc explain says it: five orderings; the cleanup (12) and the stale flip (11) could swap.
    const x = (data as { panes: { explanation: Explained }[] }).panes[0].explanation;
    expect(x.critical.map((c) => [c.before, c.after])).toEqual([
      [1, 2],
      [2, 3],
      [4, 5],
      [8, 9],
      [10, 12],
    ]);
    expect(x.critical[1].text).toBe(
      'Step 3 (the planner publishes plan 2) comes after step 2 (enactor 0 picks up plan 1, newest; the one-time freshness check passes): it changes the latest plan number after step 2 read it; the other way round, aliasResolves would not break.',
    );
    expect(x.critical[3].text).toBe(
      'Step 9 (enactor 0 takes the lock) comes after step 8 (enactor 1 points the top alias at plan 3, and releases the lock): it reads and overwrites the lock of endpoint 0 after step 8 wrote it; the other way round, step 10 could not be taken.',
    );
    // The fields in the model's words (presentation.fieldName); without the hook, their raw names.
    const { fieldName: _, ...raw } = dnsPresentation;
    const bare = (parts(viewerPage({ trace: race, model: asWas, presentation: raw })).data as { panes: { explanation: Explained }[] }).panes[0].explanation;
    expect(bare.critical[3].text).toContain('it reads and overwrites lockHolder[0] after step 8 wrote it;');
    expect(bare.critical[1].text).toContain('it changes latest after step 2 read it;');
    expect(x.movable.map((m) => m.split(' ')[1])).toEqual(['11', '12']);
    expect(x.edges.length).toBeGreaterThan(0);
  });

  it('the explain panel is plain sentences: each names its two steps by number and actor, none nests parentheses or says the old jargon', () => {
    const { data } = parts(viewerPage({ trace: race, model: asWas, presentation: dnsPresentation }));
    const x = (data as { panes: { explanation: Explained }[] }).panes[0].explanation;
    const sentences = [...x.critical.map((c) => c.text), ...x.movable, ...x.edges.map((e) => e.why)];
    for (const s of sentences) {
      // Depth of parentheses never passes 1.
      let depth = 0;
      let deepest = 0;
      for (const ch of s) {
        depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
        deepest = Math.max(deepest, depth);
      }
      expect({ s, deepest, depth }).toEqual({ s, deepest: Math.min(deepest, 1), depth: 0 });
      expect(s).not.toMatch(/what it (wrote|read)|must come after|through /);
    }
    for (const c of x.critical) {
      // The later step first, then the earlier one, each with who takes it (the narration starts with the actor).
      expect(c.text).toMatch(
        new RegExp(
          `^Step ${c.after} \\((the planner|enactor \\d) [^()]+\\) comes after step ${c.before} \\((the planner|enactor \\d) [^()]+\\): it [^()]+\\.$`,
        ),
      );
    }
  });

  it('any model: the generic page, lanes from its roles', () => {
    const m = naiveMutexModel(3);
    const t = traceOf(m, check(m).violations[0]);
    const { data } = parts(viewerPage({ trace: t, model: m }));
    const d = data as { panes: { lanes: { label: string }[]; trace: Trace }[] };
    expect(d.panes[0].lanes.map((l) => l.label)).toEqual(['process 0', 'process 1', 'process 2']);
    expect(d.panes[0].trace.model).toBe('naive-mutex');
  });
});

describe('aligning two traces by step', () => {
  it('the race and its replay under fixed: the same until step 10, which differs; step 11 only in the race; step 12 differs', () => {
    const rows = alignTraces(race, replayed);
    expect(rows.map((r) => [r.a, r.b, r.status])).toEqual([
      ...Array.from({ length: 10 }, (_, i) => [i, i, 'same']),
      [10, 10, 'differs'],
      [11, null, 'only-a'],
      [12, 11, 'differs'],
    ]);
    expect(firstDivergence(rows)).toBe(10);
  });

  it('a trace against itself agrees throughout; against a prefix of itself, the missing steps are gaps', () => {
    expect(firstDivergence(alignTraces(race, race))).toBeNull();
    const prefix = { ...race, steps: race.steps.slice(0, 5) };
    const rows = alignTraces(prefix, race);
    expect(rows.slice(6).map((r) => r.status)).toEqual(Array(7).fill('only-b'));
    expect(firstDivergence(rows)).toBe(6);
  });
});

/**
 * A long dns run, the same every time: a walk that, while an endpoint's lock is held, mostly lets the
 * other enactors fail to take it and retry (so it never ends), and otherwise takes any enabled step.
 */
function longRun(steps: number): Trace {
  const model = dnsModel({ variant: 'as-was', maxBackoff: 1_000_000 });
  const kernel = kernelOf(model);
  const none = model.init[0].lockHolder[0];
  const enabled = new Int32Array(kernel.size);
  let seed = 12345;
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const schedule: ScheduleStep[] = [];
  let s = model.init[0];
  while (schedule.length < steps) {
    const all = Array.from(enabled.subarray(0, kernel.enabledList(s, enabled)));
    expect(all.length, `the walk stopped at step ${schedule.length}`).toBeGreaterThan(0);
    const waiting = all.filter((t) => {
      const tr = kernel.transitions[t];
      return (tr.name === 'retryLock' || tr.name === 'acquireLock') && s.lockHolder[s.endpoint[tr.actor]] !== none;
    });
    const t = waiting.length > 0 && random() < 0.9995 ? waiting[Math.floor(random() * waiting.length)] : all[Math.floor(random() * all.length)];
    const step = { action: kernel.transitions[t].name, actor: kernel.transitions[t].actor };
    schedule.push(step);
    s = replay(model, s, [step]).steps[0].state;
  }
  return traceFromReplay(model, replay(model, model.init[0], schedule), 'aliasResolves', 'invariant');
}

/** Bytes of a trace file as dnsmc writes it (app/report.ts writeTrace), and of a page. */
const fileBytes = (t: Trace): number => Buffer.byteLength(`${JSON.stringify(t, null, 1)}\n`);
const pageBytes = (html: string): number => Buffer.byteLength(html);

describe('the size of a page', () => {
  // docs/viewer.md: a page is at most 3 times the size of its trace file (or of the two files, side by side).
  const FACTOR = 3;
  const long = longRun(2_000);
  const bigModel = dnsModel({ variant: 'as-was', maxBackoff: 1_000_000 });

  it('a 2,000-step dns trace (with its pictures, fields tables and alternatives) makes a page at most 3 times its file', () => {
    expect(long.steps).toHaveLength(2_000);
    const html = viewerPage({ trace: long, model: bigModel, presentation: dnsPresentation });
    const d = parts(html).data as { panes: { pictures: unknown[]; fields: unknown[]; alternatives: unknown[] }[] };
    // Everything is there: a picture, a table and the alternatives for each state.
    expect(d.panes[0].pictures).toHaveLength(2_001);
    expect(d.panes[0].fields).toHaveLength(2_001);
    expect(d.panes[0].alternatives).toHaveLength(2_001);
    expect(pageBytes(html) / fileBytes(long)).toBeLessThanOrEqual(FACTOR);
  });

  it('side by side with itself: at most 3 times the two files', () => {
    const html = viewerPage({ trace: long, model: bigModel, presentation: dnsPresentation }, { trace: long, model: bigModel, presentation: dnsPresentation });
    expect(pageBytes(html) / (2 * fileBytes(long))).toBeLessThanOrEqual(FACTOR);
  });
});
