import { describe, expect, it } from 'vitest';
import { defaultMixtureTaskOptions, defaultModularTaskOptions, makeTask } from './tasks';

describe('makeTask: modular addition', () => {
  it('splits all m^2 pairs into disjoint train and test sets with one-hot operands and (a + b) mod m labels', () => {
    const m = 7;
    const task = makeTask({ ...defaultModularTaskOptions, modulus: m, trainFraction: 0.4 });
    expect(task.inputDim).toBe(2 * m);
    expect(task.classes).toBe(m);
    expect(task.train.n).toBe(Math.round(0.4 * m * m));
    expect(task.train.n + task.test.n).toBe(m * m);
    const seen = new Set<number>();
    for (const split of [task.train, task.test]) {
      for (let i = 0; i < split.n; i++) {
        const row = split.x.subarray(i * 2 * m, (i + 1) * 2 * m);
        const a = row.subarray(0, m).indexOf(1);
        const b = row.subarray(m).indexOf(1);
        expect(row.reduce((s, v) => s + v, 0)).toBe(2);
        expect(split.y[i]).toBe((a + b) % m);
        seen.add(a * m + b);
      }
    }
    expect(seen.size).toBe(m * m);
  });

  it('is deterministic in its seed', () => {
    const a = makeTask(defaultModularTaskOptions);
    const b = makeTask(defaultModularTaskOptions);
    const c = makeTask({ ...defaultModularTaskOptions, seed: 2 });
    expect(Array.from(a.train.y)).toEqual(Array.from(b.train.y));
    expect(Array.from(a.train.y)).not.toEqual(Array.from(c.train.y));
  });

  it('refuses impossible options', () => {
    expect(() => makeTask({ ...defaultModularTaskOptions, trainFraction: 1 })).toThrow(RangeError);
    expect(() => makeTask({ ...defaultModularTaskOptions, modulus: 1 })).toThrow(RangeError);
  });
});

describe('makeTask: Gaussian mixture', () => {
  it('has the requested sizes, every class present, and is deterministic', () => {
    const o = { ...defaultMixtureTaskOptions, trainSize: 200, testSize: 100 };
    const a = makeTask(o);
    const b = makeTask(o);
    expect(a.train.x.length).toBe(200 * o.dim);
    expect(a.test.n).toBe(100);
    expect(new Set(a.train.y).size).toBe(o.classes);
    expect(Array.from(a.train.x)).toEqual(Array.from(b.train.x));
    // train and test are different draws from the same clusters
    expect(Array.from(a.test.x.subarray(0, o.dim))).not.toEqual(Array.from(a.train.x.subarray(0, o.dim)));
  });
});
