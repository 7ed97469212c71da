/**
 * The generic conformance search (checker/runs/log-search.ts) on a small model: a
 * shared counter that two hands raise and lower, each hand logging what it
 * saw. Exact figures: which event diverges, how many events are explained,
 * and what the layers hold.
 */
import { describe, expect, it } from 'vitest';
import { conform, ConformInputError, logsOfSchedule, type ConformEvent } from '../../../checker/runs/log-search.js';
import { array, defineLayout, int, type StateOf } from '../../../checker/state/layout.js';
import type { Model } from '../../../checker/model/model.js';

/** `up` adds one (to 3) and `down` subtracts one; `down` is only allowed from 2 up when `strict`. */
function counter(strict: boolean) {
  const layout = defineLayout({ n: int(0, 3), last: int(0, 2) });
  type S = StateOf<typeof layout.fields>;
  const model: Model<typeof layout.fields> = {
    name: 'counter',
    params: { strict },
    layout,
    roles: { hand: 2 },
    init: [{ n: 0, last: 0 }],
    actions: [
      {
        name: 'up',
        role: 'hand',
        guard: (s: S) => s.n < 3,
        effect: (s: S, a: number) => {
          s.n = s.n + 1;
          s.last = a + 1;
        },
      },
      {
        name: 'down',
        role: 'hand',
        guard: (s: S) => s.n > (strict ? 1 : 0),
        effect: (s: S, a: number) => {
          s.n = s.n - 1;
          s.last = a + 1;
        },
      },
    ],
    invariants: [],
    stepInvariants: [],
  };
  return model;
}

const ev = (process: string, seq: number, ts: number, action: string, actor: number, saw: ConformEvent['saw']): ConformEvent => ({
  file: `${process}.jsonl`,
  line: seq,
  process,
  seq,
  ts,
  action,
  actor,
  saw,
});

describe('conform', () => {
  it('a schedule logged by its processes conforms; the layers merge what is the same', () => {
    const m = counter(false);
    const logs = logsOfSchedule(m, [
      { action: 'up', actor: 0 },
      { action: 'up', actor: 1 },
      { action: 'down', actor: 0 },
      { action: 'up', actor: 1 },
    ]);
    expect(logs.map((l) => l.map((e) => `${e.process}#${e.seq}:${e.action} ${JSON.stringify(e.saw)}`))).toEqual([
      ['hand-0#1:up {"n":1,"last":1}', 'hand-0#2:down {"n":1,"last":1}'],
      ['hand-1#1:up {"n":2,"last":2}', 'hand-1#2:up {"n":2,"last":2}'],
    ]);
    const r = conform(m, logs, { skewMs: undefined });
    expect(r.status).toBe('conforms');
    expect(r.events).toBe(4);
    expect(r.explained).toBe(4);
  });

  it('an event whose process saw what no step leads to: the first such, with the states before it and why', () => {
    const m = counter(false);
    // hand 1 says its up left n at 3: impossible, whatever the order.
    const logs = [[ev('hand-0', 1, 0, 'up', 0, { n: 1 })], [ev('hand-1', 1, 1, 'up', 1, { n: 3 })]];
    const r = conform(m, logs);
    expect(r.status).toBe('diverges');
    expect(r.explained).toBe(1);
    expect(r.failure?.event.process).toBe('hand-1');
    expect(r.failure?.states).toEqual([{ n: 1, last: 1 }]);
    expect(r.failure?.reasons).toEqual(['the step leads to n = 2, but the process saw n = 3']);
  });

  it('an action the model does not enable there: diverges at it', () => {
    const m = counter(true);
    const logs = logsOfSchedule(counter(false), [
      { action: 'up', actor: 0 },
      { action: 'down', actor: 1 },
    ]);
    const r = conform(m, logs);
    expect(r.status).toBe('diverges');
    expect(r.failure?.event.action).toBe('down');
    expect(r.failure?.reasons).toEqual(['down by actor 1 is not enabled in this state']);
  });

  it('names an event no explained prefix takes, not the earliest pending one that another interleaving explains; the prefix is the longest before it', () => {
    const m = counter(false);
    // hand 0's up saw n = 1: explained if it goes first, not after hand 1's two ups. Hand 1's third event (up leaving n at 0) no step explains, ever.
    const a1 = ev('hand-0', 1, 0, 'up', 0, { n: 1 });
    const b1 = ev('hand-1', 1, 1, 'up', 1, { last: 2 });
    const b2 = ev('hand-1', 2, 2, 'up', 1, { n: 2 });
    const b3 = ev('hand-1', 3, 3, 'up', 1, { n: 0 });
    const r = conform(m, [[a1], [b1, b2, b3]]);
    expect(r.status).toBe('diverges');
    expect(r.explained).toBe(2);
    // The earliest event pending where the most are explained is a1 (after b1, b2), but a1 is taken from the start: b3 is the culprit.
    expect(r.failure?.event).toBe(b3);
    expect(r.failure?.alone).toBe(true);
    expect(r.failure?.culprits).toEqual([b3]);
    expect(r.failure?.culpritsTotal).toBe(1);
    expect(r.failure?.prefix).toEqual({ initial: { n: 0, last: 0 }, events: [b1, b2] });
    expect(r.failure?.states).toEqual([{ n: 2, last: 2 }]);
    expect(r.failure?.reasons).toEqual(['the step leads to n = 3, but the process saw n = 0']);
  });

  it('when every pending event is taken by some interleaving but none explains them together, all of them are named as possible culprits', () => {
    const m = counter(false);
    // Each up saw n = 1: either goes first, never both.
    const a1 = ev('hand-0', 1, 0, 'up', 0, { n: 1 });
    const b1 = ev('hand-1', 1, 1, 'up', 1, { n: 1 });
    const r = conform(m, [[a1], [b1]]);
    expect(r.status).toBe('diverges');
    expect(r.failure?.alone).toBe(false);
    expect(r.failure?.event).toBe(a1);
    expect(r.failure?.culprits).toEqual([a1, b1]);
    expect(r.failure?.culpritsTotal).toBe(2);
    expect(r.failure?.prefix.events).toEqual([b1]);
  });

  it('logs that begin at a snapshot: the search starts there, and a log that conforms gives the state after its last event', () => {
    const m = counter(true);
    const logs = [[ev('hand-0', 7, 0, 'down', 0, { n: 1 }), ev('hand-0', 8, 1, 'up', 0, { n: 2, last: 1 })]];
    // From the model's initial state (n = 0), the strict down is not enabled.
    expect(conform(m, logs).status).toBe('diverges');
    const r = conform(m, logs, { initial: { n: 2, last: 2 } });
    expect(r.status).toBe('conforms');
    expect(r.final).toEqual({ n: 2, last: 1 });
    expect(conform(m, [], { initial: { n: 3, last: 0 } }).final).toEqual({ n: 3, last: 0 });
  });

  it('only each process order counts without a skew bound; the skew bound refuses an order the clocks rule out', () => {
    const m = counter(true);
    // hand 1's down (stamped 0) can only follow hand 0's two ups (stamped 10 and 11).
    const logs = [[ev('hand-0', 1, 10, 'up', 0, { n: 1 }), ev('hand-0', 2, 11, 'up', 0, {})], [ev('hand-1', 1, 0, 'down', 1, { n: 1 })]];
    expect(conform(m, logs).status).toBe('conforms');
    expect(conform(m, logs, { skewMs: 20 }).status).toBe('conforms');
    const r = conform(m, logs, { skewMs: 5 });
    expect(r.status).toBe('diverges');
    expect(r.explained).toBe(0);
  });

  it('entries that are no event of the model: ConformInputError naming the file and line', () => {
    const m = counter(false);
    const bad = (e: ConformEvent): string => {
      try {
        conform(m, [[e]]);
      } catch (err) {
        expect(err).toBeInstanceOf(ConformInputError);
        const c = err as ConformInputError;
        return `${c.file}:${c.line}: ${c.message}`;
      }
      return 'accepted';
    };
    expect(bad(ev('h', 1, 0, 'jump', 0, {}))).toBe('h.jsonl:1: action "jump" is not an action of model counter (up, down)');
    expect(bad(ev('h', 1, 0, 'up', 2, {}))).toBe('h.jsonl:1: actor 2 is out of range for up (role hand has actors 0 to 1)');
    expect(bad(ev('h', 1, 0, 'up', 0, { m: 1 }))).toBe('h.jsonl:1: saw: "m" is not a field of model counter (n, last)');
    expect(bad(ev('h', 1, 0, 'up', 0, { 'n[0]': 1 }))).toBe('h.jsonl:1: saw: n[0]: n is not an array');
    expect(bad(ev('h', 1, 0, 'up', 0, { n: 9 }))).toMatch(/^h\.jsonl:1: saw: n: 9 is not a value of this field/);
    expect(bad(ev('h', 1, 0, 'up', 0, { n: 1 }))).toBe('accepted');
  });
});

/** Six hands, each raising its own counter: every interleaving of their events is a behaviour. */
function independent() {
  const layout = defineLayout({ c: array(6, int(0, 60)) });
  type S = StateOf<typeof layout.fields>;
  const model: Model<typeof layout.fields> = {
    name: 'independent',
    params: {},
    layout,
    roles: { hand: 6 },
    init: [{ c: [0, 0, 0, 0, 0, 0] }],
    actions: [{ name: 'up', role: 'hand', guard: (s: S, a: number) => s.c[a] < 60, effect: (s: S, a: number) => void (s.c[a] = s.c[a] + 1) }],
    invariants: [],
    stepInvariants: [],
  };
  return model;
}

/** `hands` hands' logs of `each` ups each, stamped 1 ms apart in turn; with `impossible`, hand 0's last up claims a count no step leads to. */
function ups(hands: number, each: number, impossible = false): ConformEvent[][] {
  return [...Array(hands).keys()].map((h) =>
    [...Array(each).keys()].map((i) => ev(`hand-${h}`, i + 1, i * hands + h, 'up', h, { [`c[${h}]`]: impossible && h === 0 && i === each - 1 ? 0 : i + 1 })),
  );
}

describe('conform: cost and limits', () => {
  it('without a skew bound, two long independent logs that conform are explained in a number of configurations linear in their length (not the product of their positions)', () => {
    const logs = ups(2, 50);
    const r = conform(
      independent(),
      logs.map((l) => l.slice(0, 50)),
    );
    expect(r.status).toBe('conforms');
    expect(r.explained).toBe(100);
    // Breadth-first, every (i, j) pair of positions was a configuration: 51 * 51 = 2,601.
    expect(r.configurations).toBeLessThanOrEqual(2 * r.events + 1);
  });

  it('a log that diverges is searched exhaustively: the same verdict, the events explained, and the states before', () => {
    const r = conform(independent(), ups(2, 3, true));
    expect(r.status).toBe('diverges');
    expect(r.stoppedBy).toBeNull();
    expect(r.explained).toBe(5);
    expect(r.configurations).toBe(4 * 3); // positions (i, j) with i <= 2, j <= 3
    expect(r.failure?.event).toMatchObject({ process: 'hand-0', seq: 3 });
    expect(r.failure?.states).toEqual([{ c: [2, 3, 0, 0, 0, 0] }]);
  });

  it('stops, incomplete, at the time limit, the configuration cap or the memory limit, with the events explained so far and progress on the way', () => {
    // Six independent hands and an event no interleaving explains: 21^6 configurations to rule out.
    const logs = ups(6, 20, true);
    const timed = conform(independent(), logs, { timeLimitMs: 300 });
    expect(timed).toMatchObject({ status: 'incomplete', stoppedBy: 'time-limit', failure: null });
    expect(timed.explained).toBeGreaterThan(0);
    const seen: number[] = [];
    const capped = conform(independent(), logs, { maxConfigurations: 50_000, progressIntervalMs: 0, onProgress: (p) => seen.push(p.configurations) });
    expect(capped).toMatchObject({ status: 'incomplete', stoppedBy: 'max-configurations', configurations: 50_000, explained: 119 });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((n) => n > 0 && n <= 50_000)).toBe(true);
    const small = conform(independent(), logs, { maxMemoryBytes: 1 });
    expect(small).toMatchObject({ status: 'incomplete', stoppedBy: 'max-memory' });
  });
});
