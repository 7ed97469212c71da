/**
 * Small models with known liveness results, for the liveness checker
 * (checker/liveness/liveness.ts). Each header says what holds under which fairness,
 * and why, independently of dnsmc.
 */
import { array, defineLayout, enumOf, int, type StateOf } from '../../checker/state/layout.js';
import type { Model } from '../../checker/model/model.js';
import { lockMutexModel } from './mutex.js';

/**
 * Peterson's mutual exclusion for two processes. A process asks to enter
 * (`request`), raises its flag (`raise`), gives the turn away (`yieldTurn`),
 * waits until the other's flag is down or the turn is its own (`enter`), and
 * lowers its flag on `exit`.
 *
 * `noStarvation`: process 0, once it has asked, eventually enters.
 *  - Without fairness it fails: process 0 asks and is never scheduled again
 *    while process 1 enters and leaves forever (its flag is not yet up, so
 *    nothing stops process 1).
 *  - Under weak fairness per process it holds: each of process 0's steps
 *    stays enabled until taken (Peterson's argument: once process 0 has given
 *    the turn away, process 1 can enter at most once more before it must
 *    give the turn back).
 *  - Under strong fairness it holds too (strong implies weak).
 * `mutualExclusion` holds (a state invariant).
 */
export function petersonModel() {
  const IDLE = 0,
    ASKED = 1,
    FLAGGED = 2,
    WAITING = 3,
    CRITICAL = 4;
  const layout = defineLayout({
    pc: array(2, enumOf(['idle', 'asked', 'flagged', 'waiting', 'critical'])),
    flag: array(2, int(0, 1)),
    turn: int(0, 1),
  });
  type S = StateOf<typeof layout.fields>;
  const model: Model<typeof layout.fields> = {
    name: 'peterson',
    params: {},
    layout,
    roles: { process: 2 },
    init: [{ pc: [IDLE, IDLE], flag: [0, 0], turn: 0 }],
    actions: [
      { name: 'request', role: 'process', guard: (s: S, i) => s.pc[i] === IDLE, effect: (s: S, i) => void (s.pc[i] = ASKED) },
      {
        name: 'raise',
        role: 'process',
        guard: (s: S, i) => s.pc[i] === ASKED,
        effect: (s: S, i) => {
          s.flag[i] = 1;
          s.pc[i] = FLAGGED;
        },
      },
      {
        name: 'yieldTurn',
        role: 'process',
        guard: (s: S, i) => s.pc[i] === FLAGGED,
        effect: (s: S, i) => {
          s.turn = 1 - i;
          s.pc[i] = WAITING;
        },
      },
      {
        name: 'enter',
        role: 'process',
        guard: (s: S, i) => s.pc[i] === WAITING && (s.flag[1 - i] === 0 || s.turn === i),
        effect: (s: S, i) => void (s.pc[i] = CRITICAL),
      },
      {
        name: 'exit',
        role: 'process',
        guard: (s: S, i) => s.pc[i] === CRITICAL,
        effect: (s: S, i) => {
          s.flag[i] = 0;
          s.pc[i] = IDLE;
        },
      },
    ],
    invariants: [
      {
        name: 'mutualExclusion',
        description: 'at most one process is in its critical section',
        holds: (s: S) => !(s.pc[0] === CRITICAL && s.pc[1] === CRITICAL),
      },
    ],
    stepInvariants: [],
    liveness: [
      {
        kind: 'leadsTo',
        name: 'noStarvation',
        description: 'process 0, once it has asked to enter, eventually enters',
        from: { description: 'process 0 has asked', holds: (s: S) => s.pc[0] !== IDLE },
        to: { description: 'process 0 is critical', holds: (s: S) => s.pc[0] === CRITICAL },
      },
    ],
    fairness: [{ kind: 'weak', role: 'process' }],
  };
  return model;
}

/**
 * The lock mutex of mutex.ts (request; enter by taking the free lock; exit),
 * two processes, with a starvation property. Process 0's `enter` is enabled
 * only while the lock is free, so process 1 can take the lock every time it
 * comes free: process 0's enabledness flickers.
 *
 * `noStarvation`: process 0, once waiting, eventually enters.
 *  - Without fairness: fails.
 *  - Under weak fairness per process: still fails (process 1 requests,
 *    enters and exits forever; process 0 is disabled whenever the lock is
 *    held, so weak fairness never forces it).
 *  - Under strong fairness per process: holds (process 0 is enabled
 *    infinitely often on that cycle, so it must enter).
 * The declared fairness is weak; check with `strong` to see it hold.
 */
export function starvingMutexModel() {
  const base = lockMutexModel(2);
  type S = StateOf<typeof base.layout.fields>;
  const WAITING = 1,
    CRITICAL = 2;
  const model: Model<typeof base.layout.fields> = {
    ...base,
    name: 'starving-mutex',
    liveness: [
      {
        kind: 'leadsTo',
        name: 'noStarvation',
        description: 'process 0, once waiting, eventually enters',
        from: { description: 'process 0 is waiting', holds: (s: S) => s.proc[0] === WAITING },
        to: { description: 'process 0 is critical', holds: (s: S) => s.proc[0] === CRITICAL },
      },
    ],
    fairness: [{ kind: 'weak', role: 'process' }],
  };
  return model;
}

/**
 * A sender and a lossy channel. The sender `send`s when the channel is
 * empty; the channel `lose`s or `deliver`s the message; the receiver
 * `consume`s what was delivered, and the sender sends again.
 *
 * `delivery` variants, all with the same verdicts:
 *  - `eventuallyDelivered` (eventually), `deliveredOften` (always
 *    eventually), `sentLeadsToDelivered` (leads to).
 *  - Without fairness: fail (send, lose, forever).
 *  - Weak fairness on `deliver`: still fail (deliver is enabled only while a
 *    message is in flight; losing it disables deliver again).
 *  - Strong fairness on `deliver` (declared): hold.
 * Fairness is declared per group of actions: strong fairness on the
 * channel's `deliver`, whichever actor; weak fairness on the sender and the
 * receiver.
 */
export function lossyChannelModel() {
  const EMPTY = 0,
    IN_FLIGHT = 1,
    DELIVERED = 2;
  const layout = defineLayout({ channel: enumOf(['empty', 'inFlight', 'delivered']) });
  type S = StateOf<typeof layout.fields>;
  const delivered = { description: 'the message is delivered', holds: (s: S) => s.channel === DELIVERED };
  const model: Model<typeof layout.fields> = {
    name: 'lossy-channel',
    params: {},
    layout,
    roles: { sender: 1, channel: 1, receiver: 1 },
    init: [{ channel: EMPTY }],
    actions: [
      { name: 'send', role: 'sender', guard: (s: S) => s.channel === EMPTY, effect: (s: S) => void (s.channel = IN_FLIGHT) },
      { name: 'lose', role: 'channel', guard: (s: S) => s.channel === IN_FLIGHT, effect: (s: S) => void (s.channel = EMPTY) },
      { name: 'deliver', role: 'channel', guard: (s: S) => s.channel === IN_FLIGHT, effect: (s: S) => void (s.channel = DELIVERED) },
      { name: 'consume', role: 'receiver', guard: (s: S) => s.channel === DELIVERED, effect: (s: S) => void (s.channel = EMPTY) },
    ],
    invariants: [],
    stepInvariants: [],
    liveness: [
      { kind: 'eventually', name: 'eventuallyDelivered', description: 'the message is eventually delivered', goal: delivered },
      { kind: 'alwaysEventually', name: 'deliveredOften', description: 'messages are delivered infinitely often', goal: delivered },
      {
        kind: 'leadsTo',
        name: 'sentLeadsToDelivered',
        description: 'a message in flight is eventually delivered',
        from: { description: 'a message is in flight', holds: (s: S) => s.channel === IN_FLIGHT },
        to: delivered,
      },
    ],
    fairness: [
      { kind: 'strong', actions: ['deliver'], per: 'group' },
      { kind: 'weak', role: 'sender' },
      { kind: 'weak', role: 'receiver' },
    ],
  };
  return model;
}

/**
 * A counter that climbs from 0 to `max` and stops there: the state `max` is
 * terminal, and a terminal state repeats forever (it stutters).
 *  - `reachesTop` (eventually n = max) holds under any fairness: the only
 *    behaviour climbs to the top.
 *  - `returnsToZero` (always eventually n = 0) fails under any fairness: the
 *    behaviour stutters at the top forever. Its counterexample is a lasso of
 *    `max` steps whose loop is empty (the terminal state repeats).
 */
export function climbModel(max: number) {
  const layout = defineLayout({ n: int(0, max) });
  type S = StateOf<typeof layout.fields>;
  const model: Model<typeof layout.fields> = {
    name: 'climb',
    params: { max },
    layout,
    roles: { climber: 1 },
    init: [{ n: 0 }],
    actions: [{ name: 'step', role: 'climber', guard: (s: S) => s.n < max, effect: (s: S) => void (s.n = s.n + 1) }],
    invariants: [],
    stepInvariants: [],
    terminalOk: () => true,
    liveness: [
      {
        kind: 'eventually',
        name: 'reachesTop',
        description: `the counter eventually reaches ${max}`,
        goal: { description: `n = ${max}`, holds: (s: S) => s.n === max },
      },
      {
        kind: 'alwaysEventually',
        name: 'returnsToZero',
        description: 'the counter is 0 infinitely often',
        goal: { description: 'n = 0', holds: (s: S) => s.n === 0 },
      },
    ],
    fairness: [{ kind: 'weak', role: 'climber' }],
  };
  return model;
}
