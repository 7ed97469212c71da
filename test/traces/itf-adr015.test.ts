/**
 * dnsmc's ITF against ADR-015 (Apalache's "Informal Trace Format in JSON"),
 * checked by a validator written here from the ADR's text, independent of
 * traces/itf.ts: the trace object's fields, every state defining every var,
 * the parameters set in the initial state, the expression forms, `loop` as
 * the index of the state that starts the loop (the loop ending in the last
 * state), and `#meta.varTypes` agreeing with every value. Then the documents
 * go through `dnsmc view` and `dnsmc replay`, in the new form and the old.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-itf-'));
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A type as Apalache writes it, parsed: Int, Str, Bool, UNIT, Set(T), T -> T, a variant A(T) | B(T), a record { f: T, ... }. */
type Ty =
  | { k: 'Int' | 'Str' | 'Bool' | 'UNIT' }
  | { k: 'Set'; of: Ty }
  | { k: 'Fun'; from: Ty; to: Ty }
  | { k: 'Variant'; tags: Map<string, Ty> }
  | { k: 'Rec'; fields: Map<string, Ty> };

function parseType(text: string): Ty {
  const toks = text.match(/->|[A-Za-z_][A-Za-z0-9_]*|[(){}:,|]/g) ?? [];
  if (toks.join('').replace(/->/g, '') !== text.replace(/\s+/g, '').replace(/->/g, '')) throw new Error(`bad type text ${text}`);
  let p = 0;
  const peek = (): string | undefined => toks[p];
  const eat = (t?: string): string => {
    const x = toks[p++];
    if (x === undefined || (t !== undefined && x !== t)) throw new Error(`type ${text}: expected ${t ?? 'a token'} at ${p - 1}, got ${x}`);
    return x;
  };
  const fun = (): Ty => {
    const left = alt();
    if (peek() === '->') {
      eat('->');
      return { k: 'Fun', from: left, to: fun() };
    }
    return left;
  };
  const alt = (): Ty => {
    const first = atom();
    if (peek() !== '|') return first;
    const tags = new Map<string, Ty>();
    const add = (t: Ty & { tag?: string }): void => {
      if (!('tag' in t) || t.tag === undefined) throw new Error(`type ${text}: | joins variants only`);
      tags.set(t.tag, (t as unknown as { inner: Ty }).inner);
    };
    add(first as Ty & { tag?: string });
    while (peek() === '|') {
      eat('|');
      add(atom() as Ty & { tag?: string });
    }
    return { k: 'Variant', tags };
  };
  const atom = (): Ty => {
    const t = eat();
    if (t === '(') {
      const inner = fun();
      eat(')');
      return inner;
    }
    if (t === '{') {
      const fields = new Map<string, Ty>();
      while (peek() !== '}') {
        const name = eat();
        eat(':');
        fields.set(name, fun());
        if (peek() === ',') eat(',');
      }
      eat('}');
      return { k: 'Rec', fields };
    }
    if (t === 'Int' || t === 'Str' || t === 'Bool' || t === 'UNIT') return { k: t };
    if (t === 'Set') {
      eat('(');
      const of = fun();
      eat(')');
      return { k: 'Set', of };
    }
    // A variant's tag: Tag(T); a lone variant is a one-tag variant type.
    eat('(');
    const inner = fun();
    eat(')');
    return Object.assign({ k: 'Variant' as const, tags: new Map([[t, inner]]) }, { tag: t, inner });
  };
  const ty = fun();
  if (p !== toks.length) throw new Error(`type ${text}: trailing ${toks.slice(p).join(' ')}`);
  return ty;
}

/** Whether `v` is an ADR-015 expression (string, integer, {"#bigint"}, list, record, #tup, #set, #map). Returns a problem or null. */
function exprProblem(v: unknown, where: string): string | null {
  if (typeof v === 'string') return null;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? null : `${where}: a JSON number must be an integer in ±(2^53-1)`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const q = exprProblem(v[i], `${where}[${i}]`);
      if (q) return q;
    }
    return null;
  }
  if (!isObj(v)) return `${where}: ${JSON.stringify(v)} is not an ITF expression`;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === '#bigint') return typeof v['#bigint'] === 'string' && /^-?[0-9]+$/.test(v['#bigint']) ? null : `${where}: bad #bigint`;
  if (keys.length === 1 && (keys[0] === '#tup' || keys[0] === '#set')) {
    const a = v[keys[0]];
    return Array.isArray(a) ? exprProblem(a, `${where}.${keys[0]}`) : `${where}.${keys[0]} must be an array`;
  }
  if (keys.length === 1 && keys[0] === '#map') {
    const a = v['#map'];
    if (!Array.isArray(a)) return `${where}.#map must be an array`;
    for (let i = 0; i < a.length; i++) {
      if (!Array.isArray(a[i]) || a[i].length !== 2) return `${where}.#map[${i}] must be a two-element array`;
      const q = exprProblem(a[i][0], `${where}.#map[${i}][0]`) ?? exprProblem(a[i][1], `${where}.#map[${i}][1]`);
      if (q) return q;
    }
    return null;
  }
  // A record: field names must not start with #.
  for (const k of keys) {
    if (k.startsWith('#')) return `${where}: record field ${k} starts with #`;
    const q = exprProblem(v[k], `${where}.${k}`);
    if (q) return q;
  }
  return null;
}

/** An integer as ADR-015 writes one (a JSON integer or {"#bigint": "digits"}), or null. */
function intOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  return isObj(v) && Object.keys(v).length === 1 && typeof v['#bigint'] === 'string' && /^-?[0-9]+$/.test(v['#bigint']) ? Number(v['#bigint']) : null;
}

/** Whether the value fits the type; a problem or null. */
function typeProblem(t: Ty, v: unknown, where: string): string | null {
  switch (t.k) {
    case 'Int':
      return intOf(v) === null ? `${where}: not an Int` : null;
    case 'Str':
      return typeof v === 'string' ? null : `${where}: not a Str`;
    case 'Bool':
      return typeof v === 'boolean' ? null : `${where}: not a Bool`;
    case 'UNIT':
      return isObj(v) && Array.isArray(v['#tup']) && v['#tup'].length === 0 ? null : `${where}: not the unit value {"#tup": []}`;
    case 'Set': {
      if (!isObj(v) || !Array.isArray(v['#set'])) return `${where}: not a Set`;
      for (const [i, x] of v['#set'].entries()) {
        const q = typeProblem(t.of, x, `${where}.#set[${i}]`);
        if (q) return q;
      }
      return null;
    }
    case 'Fun': {
      if (!isObj(v) || !Array.isArray(v['#map'])) return `${where}: not a function (#map)`;
      const keys = new Set<string>();
      for (const [i, kv] of (v['#map'] as unknown[][]).entries()) {
        const q = typeProblem(t.from, kv[0], `${where}.#map[${i}][0]`) ?? typeProblem(t.to, kv[1], `${where}.#map[${i}][1]`);
        if (q) return q;
        const key = JSON.stringify(kv[0]);
        if (keys.has(key)) return `${where}: key ${key} twice`;
        keys.add(key);
      }
      return null;
    }
    case 'Variant': {
      if (!isObj(v) || typeof v.tag !== 'string' || !('value' in v) || Object.keys(v).length !== 2) return `${where}: not a variant {tag, value}`;
      const inner = t.tags.get(v.tag);
      return inner ? typeProblem(inner, v.value, `${where}.value`) : `${where}: tag ${v.tag} is not one of ${[...t.tags.keys()].join('|')}`;
    }
    case 'Rec': {
      if (!isObj(v)) return `${where}: not a record`;
      if (Object.keys(v).length !== t.fields.size) return `${where}: the record has fields ${Object.keys(v).join(', ')}`;
      for (const [f, ft] of t.fields) {
        const q = typeProblem(ft, v[f], `${where}.${f}`);
        if (q) return q;
      }
      return null;
    }
  }
}

/** Every way `doc` departs from ADR-015 (and from the types it declares in #meta.varTypes); empty when it conforms. */
function adr015Problems(doc: unknown): string[] {
  const out: string[] = [];
  if (!isObj(doc)) return ['the trace is not a JSON object'];
  for (const k of Object.keys(doc)) if (!['#meta', 'params', 'vars', 'states', 'loop'].includes(k)) out.push(`unknown trace field ${k}`);
  if (doc['#meta'] !== undefined && !isObj(doc['#meta'])) out.push('#meta must be an object');
  const params = doc.params ?? [];
  if (!Array.isArray(params) || !params.every((p) => typeof p === 'string')) out.push('params must be an array of strings');
  const vars = doc.vars;
  if (!Array.isArray(vars) || !vars.every((v) => typeof v === 'string')) return [...out, 'vars must be an array of strings'];
  if (new Set(vars).size !== vars.length) out.push('vars names a variable twice');
  const states = doc.states;
  if (!Array.isArray(states)) return [...out, 'states must be an array'];
  const types = isObj(doc['#meta']) && isObj(doc['#meta'].varTypes) ? doc['#meta'].varTypes : undefined;
  const parsed = new Map<string, Ty>();
  if (types) {
    for (const name of [...(params as string[]), ...(vars as string[])]) {
      const text = types[name];
      if (typeof text !== 'string') out.push(`#meta.varTypes has no type for ${name}`);
      else
        try {
          parsed.set(name, parseType(text));
        } catch (e) {
          out.push((e as Error).message);
        }
    }
  }
  states.forEach((s, i) => {
    if (!isObj(s)) {
      out.push(`states[${i}] is not an object`);
      return;
    }
    if (s['#meta'] !== undefined && !isObj(s['#meta'])) out.push(`states[${i}].#meta must be an object`);
    const allowed = new Set(['#meta', ...(vars as string[]), ...(i === 0 ? (params as string[]) : [])]);
    for (const k of Object.keys(s)) if (!allowed.has(k)) out.push(`states[${i}] defines ${k}, which is neither a var${i === 0 ? ' nor a param' : ''}`);
    for (const name of [...(vars as string[]), ...(i === 0 ? (params as string[]) : [])]) {
      if (!(name in s)) {
        out.push(`states[${i}] does not define ${name}`);
        continue;
      }
      const q = exprProblem(s[name], `states[${i}].${name}`);
      if (q) out.push(q);
      const t = parsed.get(name);
      const tq = t ? typeProblem(t, s[name], `states[${i}].${name}`) : null;
      if (tq) out.push(tq);
    }
  });
  if (doc.loop !== undefined) {
    if (!Number.isInteger(doc.loop) || (doc.loop as number) < 0 || (doc.loop as number) >= states.length) out.push('loop must be the index of a state');
  }
  return out;
}

/** The state without its #meta, for comparing states. */
const bare = (s: unknown): string => JSON.stringify(Object.fromEntries(Object.entries(s as Record<string, unknown>).filter(([k]) => k !== '#meta')));

const itfOf = async (trace: string, name: string): Promise<Record<string, unknown> & { states: Record<string, unknown>[]; loop?: number }> => {
  const file = join(dir, name);
  const r = await run(['export', trace, '--format', 'itf', '--out', file]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(file, 'utf8'));
};

describe('the validator itself', () => {
  it('finds what breaks ADR-015 or the declared types', () => {
    const ok = { vars: ['x'], states: [{ x: { '#bigint': '1' } }], '#meta': { varTypes: { x: 'Int' } } };
    expect(adr015Problems(ok)).toEqual([]);
    expect(adr015Problems({ ...ok, states: [{}] })).toEqual(['states[0] does not define x']);
    expect(adr015Problems({ ...ok, states: [{ x: 1.5 }] })).toEqual(['states[0].x: a JSON number must be an integer in ±(2^53-1)', 'states[0].x: not an Int']);
    expect(adr015Problems({ ...ok, states: [{ x: 'a' }] })).toEqual(['states[0].x: not an Int']);
    expect(adr015Problems({ ...ok, loop: 1 })).toEqual(['loop must be the index of a state']);
    expect(adr015Problems({ ...ok, params: ['N'] })).toEqual(['#meta.varTypes has no type for N', 'states[0] does not define N']);
    expect(adr015Problems({ ...ok, states: [{ x: { '#bigint': '1' }, y: 'a' }] })).toEqual(['states[0] defines y, which is neither a var nor a param']);
    expect(adr015Problems({ ...ok, states: [{ x: { '#set': [{ '#bigint': 'x' }] } }] })).toEqual([
      'states[0].x.#set[0]: bad #bigint',
      'states[0].x: not an Int',
    ]);
    const opt = { vars: ['o'], '#meta': { varTypes: { o: 'Int -> (Some(Int) | None(UNIT))' } } };
    expect(adr015Problems({ ...opt, states: [{ o: { '#map': [[{ '#bigint': '0' }, { tag: 'None', value: { '#tup': [] } }]] } }] })).toEqual([]);
    expect(adr015Problems({ ...opt, states: [{ o: { '#map': [[{ '#bigint': '0' }, { tag: 'Nil', value: { '#tup': [] } }]] } }] })).toEqual([
      'states[0].o.#map[0][1]: tag Nil is not one of Some|None',
    ]);
  });
});

describe("dnsmc's ITF conforms to ADR-015", () => {
  it('the race: params set in the first state, every var in every state, varTypes agreeing with every value, mbt:: names; view and replay read it', async () => {
    const race = join(dir, 'race.json');
    expect((await run(['check', '--variant', 'as-was', '--property', 'aliasResolves', '--trace-out', race])).code).toBe(1);
    const doc = await itfOf(race, 'race.itf.json');
    expect(adr015Problems(doc)).toEqual([]);
    expect(doc.params).toEqual(['variant', 'enactors', 'plans', 'endpoints', 'maxBackoff', 'keep']);
    expect(doc.states).toHaveLength(13);
    expect(doc.loop).toBeUndefined();
    expect(doc.states.map((s) => s['mbt::actionTaken'])).toEqual([
      'init',
      'publishPlan',
      'pickPlan',
      'publishPlan',
      'publishPlan',
      'pickPlan',
      'acquireLock',
      'buildTree',
      'flipAlias',
      'acquireLock',
      'buildTree',
      'flipAlias',
      'cleanupPlans',
    ]);
    const file = join(dir, 'race.itf.json');
    const v = await run(['view', file, '--out', join(dir, 'race-itf.html')]);
    expect([v.code, v.stderr]).toEqual([0, '']);
    const r = await run(['replay', file, '--variant', 'fixed', '--json']);
    expect(JSON.parse(r.stdout).firstDivergence.step).toBe(10);
  });

  it('a lasso: loop is the index of the state that starts the loop, with no repeated copy at the end; view and replay read it, the old form too', async () => {
    const stuck = join(dir, 'stuck.json');
    expect((await run(['check', '--variant', 'as-was', '--property', 'recoverable', '--trace-out', stuck])).code).toBe(1);
    const trace = JSON.parse(readFileSync(stuck, 'utf8'));
    expect([trace.loop, trace.steps.length]).toEqual([14, 23]);
    const doc = await itfOf(stuck, 'stuck.itf.json');
    expect(adr015Problems(doc)).toEqual([]);
    // 24 states in the dnsmc trace (the last a copy of state 14); ADR-015 ends the loop in the last state instead.
    expect(doc.states).toHaveLength(23);
    expect(doc.loop).toBe(14);
    const states = doc.states.map(bare);
    expect(new Set(states).size).toBe(states.length);
    const last = trace.steps[22];
    expect((doc['#meta'] as { dnsmc: { loopBack: unknown } }).dnsmc.loopBack).toEqual({ action: last.action, role: last.role, actor: last.actor });
    // Read back: the same trace, through view (which verifies it) and replay.
    const forms: [string, unknown][] = [['new', doc]];
    // Without loopBack (as a generic ITF writer would leave it): the model finds the step back.
    const generic = JSON.parse(JSON.stringify(doc));
    delete generic['#meta'].dnsmc.loopBack;
    forms.push(['generic', generic]);
    // The old form: the copy of states[loop] at the end, no params.
    const old = JSON.parse(JSON.stringify(doc));
    delete old['#meta'].dnsmc.loopBack;
    delete old.params;
    old.states.push({ ...old.states[14], '#meta': { index: 23, action: last.action, role: last.role, actor: last.actor } });
    for (const s of old.states) {
      for (const k of ['mbt::actionTaken', 'mbt::nondetPicks', 'variant', 'enactors', 'plans', 'endpoints', 'maxBackoff', 'keep']) delete s[k];
    }
    old.vars = old.vars.filter((v: string) => !v.startsWith('mbt::'));
    forms.push(['old', old]);
    for (const [name, d] of forms) {
      const file = join(dir, `stuck-${name}.itf.json`);
      writeFileSync(file, JSON.stringify(d));
      const v = await run(['view', file, '--out', join(dir, `stuck-${name}.html`)]);
      expect([name, v.code, v.stderr]).toEqual([name, 0, '']);
      const page = readFileSync(join(dir, `stuck-${name}.html`), 'utf8');
      const data = JSON.parse(/<script type="application\/json" id="dnsmc-data">([^<]*)<\/script>/.exec(page)![1]);
      expect(data.panes[0].loop).toBe(14);
      expect(data.panes[0].trace.steps).toEqual(trace.steps);
      const r = await run(['replay', file, '--variant', 'as-was', '--json']);
      expect([name, r.stderr]).toEqual([name, '']);
      expect(JSON.parse(r.stdout).firstDivergence).toBeNull();
    }
  });
});
