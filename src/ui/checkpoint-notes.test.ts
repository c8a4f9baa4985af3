import { describe, expect, it } from 'vitest';
import { fakeCheckpoint } from './testing';
import { checkpointNotes } from './checkpoint-notes';

describe('checkpointNotes', () => {
  it('says when the spectrum is truncated and where Π is measured', () => {
    const notes = checkpointNotes(fakeCheckpoint(0, { spectrumTruncated: true, n: 50, p: 96, evalN: 20 }));
    expect(notes[0]).toBe('n = 50 ≤ p = 96 on the fit split: the spectra are truncated to rank n − 1 = 49.');
    expect(notes[1]).toContain('may exceed 1');
  });

  it('covers a fit-only checkpoint without labels and appends the parser notes', () => {
    const checkpoint = {
      ...fakeCheckpoint(0, { mass: null }, false),
      notes: ['features (n, 3, 8, 8) flattened'],
    };
    expect(checkpointNotes(checkpoint)).toEqual([
      'No eval split: the spectra are measured on the fit split itself.',
      'No labels: cumulative mass Π*(k), NC1 and accuracy are not available.',
      'features (n, 3, 8, 8) flattened',
    ]);
  });
});
