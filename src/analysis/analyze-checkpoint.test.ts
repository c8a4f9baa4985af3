/** Degenerate data and range errors reach the user as an InputError naming the file, thrown or rejected. */
import { describe, expect, it } from 'vitest';

import { DegenerateDataError } from '../core/low-rank-measure';
import { InputError } from '../io/types';
import { withInputErrors } from './analyze-checkpoint';

const degenerate = () => {
  throw new DegenerateDataError('the logits are constant: D_LR is 0/0');
};

describe('withInputErrors', () => {
  it('names the source of degenerate data and range errors thrown by a computation', () => {
    expect(() => withInputErrors('a.npz', degenerate)).toThrow(
      new InputError('a.npz', 'the logits are constant: D_LR is 0/0'),
    );
    const range = () => {
      throw new RangeError('Array buffer allocation failed');
    };
    expect(() => withInputErrors('b.npz', range)).toThrow(InputError);
    expect(withInputErrors('c.npz', () => 3)).toBe(3);
  });

  it('names it as well when a computation that returns a promise rejects, or throws before it does', async () => {
    const rejected = withInputErrors('a.npz', async () => degenerate());
    await expect(rejected).rejects.toThrow(new InputError('a.npz', 'the logits are constant: D_LR is 0/0'));
    await expect(rejected).rejects.toBeInstanceOf(InputError);
    await expect(withInputErrors('c.npz', async () => 4)).resolves.toBe(4);
  });

  it('leaves any other error as it is', async () => {
    const bug = new TypeError('x is undefined');
    const fails = () => {
      throw bug;
    };
    expect(() => withInputErrors('a.npz', fails)).toThrow(bug);
    await expect(withInputErrors('a.npz', () => Promise.reject(bug))).rejects.toBe(bug);
  });
});
