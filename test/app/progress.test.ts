/**
 * When progress lines are shown: `auto` for runs past a second, `always`
 * from the first report, `never` not at all (the engine then gets no
 * callback). The reports here carry made-up times, so no test waits.
 */
import { describe, expect, it } from 'vitest';
import { bufferIo, type ProgressMode } from '../../app/io.js';
import { progressReporter } from '../../app/progress.js';
import type { Progress } from '../../checker/explore/options.js';

const at = (elapsedMs: number): Progress => ({ distinctStates: 10, generatedStates: 20, queue: 3, depth: 2, elapsedMs });

/** What a reporter in `mode` writes for reports at these times. */
function shown(mode: ProgressMode | undefined, times: number[], tty = false): string {
  const io = { ...bufferIo(), progress: mode, errIsTTY: tty };
  const buf = bufferIo();
  const r = progressReporter({ ...io, err: (t) => buf.err(t) });
  for (const t of times) r.onProgress?.(at(t));
  r.done();
  return buf.stderr;
}

describe('progress lines', () => {
  it('auto (the default): only once the run is a second old', () => {
    expect(shown(undefined, [10, 500])).toBe('');
    expect(shown('auto', [10, 1500])).toBe('progress: 10 distinct states, 20 generated, queue 3, depth 2, 7 states/s, 2 s\n');
  });

  it('always: from the first report on', () => {
    expect(shown('always', [10, 1500]).split('\n')).toEqual([
      'progress: 10 distinct states, 20 generated, queue 3, depth 2, 1,000 states/s, 0 s',
      'progress: 10 distinct states, 20 generated, queue 3, depth 2, 7 states/s, 2 s',
      '',
    ]);
  });

  it('never: no callback for the engine, and nothing written', () => {
    const io = { ...bufferIo(), progress: 'never' as const };
    expect(progressReporter(io).onProgress).toBeUndefined();
    expect(shown('never', [10, 5000])).toBe('');
  });

  it('on a terminal: one live line, rewritten, and cleared at the end', () => {
    expect(shown('always', [10], true)).toBe('\r\x1b[2Kprogress: 10 distinct states, 20 generated, queue 3, depth 2, 1,000 states/s, 0 s\r\x1b[2K');
  });
});
