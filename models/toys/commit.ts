/**
 * Transaction commit, after Lamport's TCommit and TwoPhase specifications
 * (tlaplus/Examples, transaction_commit). Known figures with 3 resource
 * managers: TCommit has 34 distinct states (27 with nobody committed, 7 with
 * some committed and all others prepared); TwoPhase has 288.
 */
import { array, defineLayout, enumOf, int, setOf, type StateOf } from '../../checker/state/layout.js';
import type { Model } from '../../checker/model/model.js';

const RM_STATES = ['working', 'prepared', 'committed', 'aborted'] as const;
const WORKING = 0,
  PREPARED = 1,
  COMMITTED = 2,
  ABORTED = 3;

const consistent = (n: number) => ({
  name: 'consistent',
  description: 'no resource manager has aborted while another has committed',
  holds: (s: { rm: { [i: number]: number } }) => {
    let a = false,
      c = false;
    for (let i = 0; i < n; i++) {
      a ||= s.rm[i] === ABORTED;
      c ||= s.rm[i] === COMMITTED;
    }
    return !(a && c);
  },
});

/** TCommit: the specification of commit, with no transaction manager. */
export function tcommitModel(n: number) {
  const layout = defineLayout({ rm: array(n, enumOf(RM_STATES)) });
  type S = StateOf<typeof layout.fields>;
  const all = (s: S, ok: (x: number) => boolean): boolean => {
    for (let i = 0; i < n; i++) if (!ok(s.rm[i])) return false;
    return true;
  };
  const model: Model<typeof layout.fields> = {
    name: 'tcommit',
    origin: { module: import.meta.url, export: 'tcommitModel', args: [n] },
    params: { rm: n },
    layout,
    roles: { rm: n },
    init: [{ rm: new Array(n).fill(WORKING) }],
    actions: [
      { name: 'prepare', role: 'rm', guard: (s: S, r) => s.rm[r] === WORKING, effect: (s: S, r) => void (s.rm[r] = PREPARED) },
      {
        name: 'decideCommit',
        role: 'rm',
        guard: (s: S, r) => s.rm[r] === PREPARED && all(s, (x) => x === PREPARED || x === COMMITTED),
        effect: (s: S, r) => void (s.rm[r] = COMMITTED),
      },
      {
        name: 'decideAbort',
        role: 'rm',
        guard: (s: S, r) => (s.rm[r] === WORKING || s.rm[r] === PREPARED) && all(s, (x) => x !== COMMITTED),
        effect: (s: S, r) => void (s.rm[r] = ABORTED),
      },
    ],
    invariants: [consistent(n)],
    stepInvariants: [],
    terminalOk: () => true,
  };
  return model;
}

/** TwoPhase: a transaction manager collects Prepared messages and broadcasts Commit or Abort. */
export function twoPhaseModel(n: number) {
  const INIT = 0,
    TM_COMMITTED = 1,
    TM_ABORTED = 2;
  const layout = defineLayout({
    rm: array(n, enumOf(RM_STATES)),
    tm: enumOf(['init', 'committed', 'aborted']),
    tmPrepared: setOf(0, n - 1),
    /** Prepared messages sent, by resource manager. */
    prepared: setOf(0, n - 1),
    commitSent: int(0, 1),
    abortSent: int(0, 1),
  });
  type S = StateOf<typeof layout.fields>;
  const everyone = (1 << n) - 1;
  const model: Model<typeof layout.fields> = {
    name: 'two-phase',
    origin: { module: import.meta.url, export: 'twoPhaseModel', args: [n] },
    params: { rm: n },
    layout,
    roles: { tm: 1, rm: n },
    init: [{ rm: new Array(n).fill(WORKING), tm: INIT, tmPrepared: 0, prepared: 0, commitSent: 0, abortSent: 0 }],
    actions: [
      {
        name: 'TMCommit',
        role: 'tm',
        guard: (s: S) => s.tm === INIT && s.tmPrepared === everyone,
        effect: (s: S) => {
          s.tm = TM_COMMITTED;
          s.commitSent = 1;
        },
      },
      {
        name: 'TMAbort',
        role: 'tm',
        guard: (s: S) => s.tm === INIT,
        effect: (s: S) => {
          s.tm = TM_ABORTED;
          s.abortSent = 1;
        },
      },
      {
        name: 'TMRcvPrepared',
        role: 'rm',
        guard: (s: S, r) => s.tm === INIT && (s.prepared & (1 << r)) !== 0 && (s.tmPrepared & (1 << r)) === 0,
        effect: (s: S, r) => void (s.tmPrepared = s.tmPrepared | (1 << r)),
      },
      {
        name: 'RMPrepare',
        role: 'rm',
        guard: (s: S, r) => s.rm[r] === WORKING,
        effect: (s: S, r) => {
          s.rm[r] = PREPARED;
          s.prepared = s.prepared | (1 << r);
        },
      },
      { name: 'RMChooseToAbort', role: 'rm', guard: (s: S, r) => s.rm[r] === WORKING, effect: (s: S, r) => void (s.rm[r] = ABORTED) },
      { name: 'RMRcvCommitMsg', role: 'rm', guard: (s: S, r) => s.commitSent === 1 && s.rm[r] !== COMMITTED, effect: (s: S, r) => void (s.rm[r] = COMMITTED) },
      { name: 'RMRcvAbortMsg', role: 'rm', guard: (s: S, r) => s.abortSent === 1 && s.rm[r] !== ABORTED, effect: (s: S, r) => void (s.rm[r] = ABORTED) },
    ],
    invariants: [consistent(n)],
    stepInvariants: [],
    terminalOk: () => true,
  };
  return model;
}
