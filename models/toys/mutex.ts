/**
 * Mutual exclusion for `n` processes, two ways.
 *
 * `lockMutex`: a process requests, enters only when it takes the free lock
 * (one atomic test-and-set), and releases on exit. Known figures: with the
 * lock free every process is idle or waiting (2^n states); with it held, its
 * holder is critical and the others idle or waiting (n * 2^(n-1)). So
 * 2^n + n * 2^(n-1) states (20 for n = 3), diameter n + 1, no violation.
 *
 * `naiveMutex`: test, then set, in two steps. Two processes both see the
 * flag clear and both enter: the shortest violation is 4 steps.
 */
import { array, defineLayout, enumOf, int, maybe, type StateOf } from '../../checker/state/layout.js';
import type { Invariant, Model } from '../../checker/model/model.js';

const exclusive = <S extends { proc: { [i: number]: number } }>(n: number, CRITICAL: number): Invariant<S> => ({
  name: 'mutualExclusion',
  description: 'at most one process is in its critical section',
  holds: (s) => {
    let inside = 0;
    for (let i = 0; i < n; i++) if (s.proc[i] === CRITICAL) inside++;
    return inside <= 1;
  },
});

export function lockMutexModel(n: number) {
  const IDLE = 0,
    WAITING = 1,
    CRITICAL = 2;
  const layout = defineLayout({
    proc: array(n, enumOf(['idle', 'waiting', 'critical'])),
    lock: maybe(0, n - 1),
  });
  type S = StateOf<typeof layout.fields>;
  const model: Model<typeof layout.fields> = {
    name: 'lock-mutex',
    origin: { module: import.meta.url, export: 'lockMutexModel', args: [n] },
    params: { n },
    layout,
    roles: { process: n },
    init: [{ proc: new Array(n).fill(IDLE), lock: -1 }],
    actions: [
      { name: 'request', role: 'process', guard: (s: S, i) => s.proc[i] === IDLE, effect: (s: S, i) => void (s.proc[i] = WAITING) },
      {
        name: 'enter',
        role: 'process',
        guard: (s: S, i) => s.proc[i] === WAITING && s.lock === -1,
        effect: (s: S, i) => {
          s.proc[i] = CRITICAL;
          s.lock = i;
        },
      },
      {
        name: 'exit',
        role: 'process',
        guard: (s: S, i) => s.proc[i] === CRITICAL,
        effect: (s: S, i) => {
          s.proc[i] = IDLE;
          s.lock = -1;
        },
      },
    ],
    invariants: [exclusive<S>(n, CRITICAL)],
    stepInvariants: [],
  };
  return model;
}

export function naiveMutexModel(n: number) {
  const IDLE = 0,
    CHECKED = 1,
    CRITICAL = 2;
  const layout = defineLayout({
    proc: array(n, enumOf(['idle', 'checked', 'critical'])),
    flag: int(0, 1),
  });
  type S = StateOf<typeof layout.fields>;
  const model: Model<typeof layout.fields> = {
    name: 'naive-mutex',
    origin: { module: import.meta.url, export: 'naiveMutexModel', args: [n] },
    params: { n },
    layout,
    roles: { process: n },
    init: [{ proc: new Array(n).fill(IDLE), flag: 0 }],
    actions: [
      { name: 'test', role: 'process', guard: (s: S, i) => s.proc[i] === IDLE && s.flag === 0, effect: (s: S, i) => void (s.proc[i] = CHECKED) },
      {
        name: 'set',
        role: 'process',
        guard: (s: S, i) => s.proc[i] === CHECKED,
        effect: (s: S, i) => {
          s.proc[i] = CRITICAL;
          s.flag = 1;
        },
      },
      {
        name: 'exit',
        role: 'process',
        guard: (s: S, i) => s.proc[i] === CRITICAL,
        effect: (s: S, i) => {
          s.proc[i] = IDLE;
          s.flag = 0;
        },
      },
    ],
    invariants: [exclusive<S>(n, CRITICAL)],
    stepInvariants: [],
  };
  return model;
}
