import { describe, expect, it } from 'vitest';
import { runFilter } from './run-filter';

const names = ['lr=0.1 seed1', 'lr=0.1 seed2', 'lr=0.01 seed1', 'baseline'];
const matching = (text: string) => names.filter(runFilter(text).matches);

describe('runFilter', () => {
  it.each([
    ['', names],
    ['seed1$', ['lr=0.1 seed1', 'lr=0.01 seed1']],
    ['LR=0\\.1 ', ['lr=0.1 seed1', 'lr=0.1 seed2']],
    ['^base|seed2', ['lr=0.1 seed2', 'baseline']],
    ['nothing', []],
  ])('%s', (text, expected) => expect(matching(text)).toEqual(expected));

  it('matches text that is no regular expression as plain text, and says so', () => {
    const filter = runFilter('seed1(');
    expect(filter.problem).toMatch(/^not a regular expression/);
    expect(names.filter(filter.matches)).toEqual([]);
    expect(runFilter('lr=0.1 seed[').problem).not.toBeNull();
    expect(runFilter('seed').problem).toBeNull();
  });
});
