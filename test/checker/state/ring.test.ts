/**
 * The queue between two threads: records come out in order and exactly once,
 * a full queue refuses records until the consumer frees room, and the
 * 32-bit counts wrap without losing the order. Producer and consumer are two
 * views of the same shared memory, as in two threads.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ring } from '../../../checker/state/ring.js';

/** A producer and a consumer over one queue of `records` records of `width` words. */
function pair(records: number, width: number, startCount = 0): { producer: Ring; consumer: Ring } {
  const memory = Ring.memory(records, width);
  const header = new Int32Array(memory, 0, 32);
  header[0] = startCount; // head
  header[16] = startCount; // tail
  return { producer: new Ring(memory, width), consumer: new Ring(memory, width) };
}

function drainAll(r: Ring): number[][] {
  const out: number[][] = [];
  r.drain((data, at) => out.push(Array.from(data.subarray(at, at + r.width))));
  return out;
}

describe('Ring (queue between two threads)', () => {
  it('delivers what was pushed, in order and once, under any interleaving of push, publish and drain', () => {
    const op = fc.oneof(fc.constant<'publish'>('publish'), fc.constant<'drain'>('drain'), fc.integer({ min: 1, max: 200 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.constantFrom(0, 0x7fffffc0, -5), (ops, start) => {
        const { producer, consumer } = pair(8, 3, start);
        const sent: number[][] = [];
        const received: number[][] = [];
        const queued: number[][] = [];
        let next = 1;
        for (const o of ops) {
          if (o === 'publish') producer.publish();
          else if (o === 'drain') received.push(...drainAll(consumer));
          else {
            for (let k = 0; k < o; k++) {
              const rec = [next, next ^ 0xffff, -next];
              if (!producer.push(Uint32Array.from(rec), 0)) break;
              queued.push(rec.map((x) => x >>> 0));
              next++;
            }
          }
        }
        producer.publish();
        received.push(...drainAll(consumer));
        sent.push(...queued);
        expect(received).toEqual(sent);
      }),
    );
  });

  it('refuses a record when full, publishing what it holds, and takes it once the consumer frees room', () => {
    const { producer, consumer } = pair(4, 1);
    for (let k = 0; k < 4; k++) expect(producer.push(Uint32Array.of(k), 0)).toBe(true);
    expect(drainAll(consumer)).toEqual([]); // fewer than a batch: not yet published
    expect(producer.push(Uint32Array.of(99), 0)).toBe(false); // full: publishes the four
    expect(drainAll(consumer)).toEqual([[0], [1], [2], [3]]);
    expect(producer.push(Uint32Array.of(4), 0)).toBe(true);
    producer.publish();
    expect(drainAll(consumer)).toEqual([[4]]);
  });

  it('publishes by itself every 64 records', () => {
    const { producer, consumer } = pair(128, 2);
    for (let k = 0; k < 63; k++) producer.push(Uint32Array.of(k, k), 0);
    expect(drainAll(consumer)).toHaveLength(0);
    producer.push(Uint32Array.of(63, 63), 0);
    expect(drainAll(consumer)).toHaveLength(64);
  });

  it('rejects a capacity that is not a power of two', () => {
    expect(() => new Ring(Ring.memory(6, 2), 2)).toThrow(/power of two/);
  });
});
