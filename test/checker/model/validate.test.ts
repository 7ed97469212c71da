/** The option validators every entry point shares. */
import { describe, expect, it } from 'vitest';
import { limitOption, OptionError, wholeOption } from '../../../checker/model/validate.js';

describe('option validators', () => {
  it('wholeOption: a whole number in range, or an error naming caller and option', () => {
    expect(wholeOption('simulate', 'runs', 0, 0)).toBe(0);
    expect(() => wholeOption('simulate', 'runs', -1, 0)).toThrow(new OptionError('simulate: option runs must be a whole number of at least 0, got -1'));
    expect(() => wholeOption('simulate', 'seed', 1.5, 0, 9)).toThrow('simulate: option seed must be a whole number from 0 to 9, got 1.5');
    expect(() => wholeOption('x', 'n', '3', 0)).toThrow('x: option n must be a whole number of at least 0, got "3"');
  });

  it('limitOption: absent is no limit; Infinity allowed; fractions only when asked', () => {
    expect([
      limitOption('check', 'maxStates', undefined, 1),
      limitOption('check', 'maxStates', Infinity, 1),
      limitOption('check', 'timeLimitMs', 0.5, 0, true),
    ]).toEqual([Infinity, Infinity, 0.5]);
    expect(() => limitOption('check', 'maxDepth', 1.5, 0)).toThrow('check: option maxDepth must be a whole number of at least 0, got 1.5');
    expect(() => limitOption('check', 'timeLimitMs', Number.NaN, 0, true)).toThrow('check: option timeLimitMs must be a number of at least 0, got NaN');
  });
});
