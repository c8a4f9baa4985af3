import { describe, expect, it } from 'vitest';
import { RUN_PALETTE, nextRunColour } from './run-colours';

describe('nextRunColour', () => {
  it('hands out unused Okabe–Ito colours in order', () => {
    expect(nextRunColour([])).toBe(RUN_PALETTE[0]);
    expect(nextRunColour([RUN_PALETTE[0]])).toBe(RUN_PALETTE[1]);
    // A freed colour (deleted run) is reused before later ones.
    expect(nextRunColour([RUN_PALETTE[1]])).toBe(RUN_PALETTE[0]);
    expect(nextRunColour(['#0072b2'])).toBe(RUN_PALETTE[1]);
  });

  it('cycles once every colour is taken', () => {
    const all = [...RUN_PALETTE];
    expect(nextRunColour(all)).toBe(RUN_PALETTE[0]);
    expect(nextRunColour([...all, '#123456'])).toBe(RUN_PALETTE[1]);
  });
});
