import { describe, expect, it } from 'vitest';
import { initialState } from './app-state';
import { addNoticeOnce, addNotices, dismissNotice, storeProblemNotice } from './notice-actions';

const shown = { ...initialState, notices: ['a', 'b'] };

describe('notice actions', () => {
  it('addNotices appends', () =>
    expect(addNotices.perform(shown, ['c', 'd']).notices).toEqual(['a', 'b', 'c', 'd']));
  it('addNotices of none changes nothing', () => expect(addNotices.perform(shown, [])).toBe(shown));
  it('addNoticeOnce appends a new one', () =>
    expect(addNoticeOnce.perform(shown, 'c').notices).toEqual(['a', 'b', 'c']));
  it('addNoticeOnce skips one already shown', () => expect(addNoticeOnce.perform(shown, 'b')).toBe(shown));
  it('dismissNotice', () => expect(dismissNotice.perform(shown, 0).notices).toEqual(['b']));
  it('storeProblemNotice names the problem', () =>
    expect(storeProblemNotice('QuotaExceededError')).toBe(
      'Some results are kept for this visit only: the browser did not store them (QuotaExceededError).',
    ));
});
