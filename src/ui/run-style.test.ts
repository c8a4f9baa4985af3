import { describe, expect, it } from 'vitest';
import { RUN_PALETTE, nextRunColour } from '../state/run-colours';
import { PENDING_COLOUR, RUN_DASHES, runStyles, svgDashArray } from './run-style';

describe('runStyles', () => {
  it('gives runs sharing a colour different dashes, in list order', () => {
    const styles = runStyles([
      { id: 'a', colour: '#0072B2' },
      { id: 'b', colour: '#D55E00' },
      { id: 'c', colour: '#0072b2' },
      { id: 'd', colour: '' },
    ]);
    expect(styles.get('a')).toEqual({ colour: '#0072B2', dash: 'solid' });
    expect(styles.get('b')).toEqual({ colour: '#D55E00', dash: 'solid' });
    expect(styles.get('c')).toEqual({ colour: '#0072b2', dash: RUN_DASHES[1] });
    expect(styles.get('d')).toEqual({ colour: PENDING_COLOUR, dash: 'solid' });
  });

  it('keeps 50 runs coloured by the palette pairwise distinct in colour × dash', () => {
    const runs: { id: string; colour: string }[] = [];
    for (let i = 0; i < 50; i++) runs.push({ id: `r${i}`, colour: nextRunColour(runs.map((r) => r.colour)) });
    const styles = [...runStyles(runs).values()].map((s) => `${s.colour.toLowerCase()} ${s.dash}`);
    expect(new Set(styles).size).toBe(50);
    expect(RUN_PALETTE.length * RUN_DASHES.length).toBeGreaterThanOrEqual(50);
  });

  it('has no two dashes alike and none plain dots (test accuracy is dotted)', () => {
    expect(new Set(RUN_DASHES).size).toBe(RUN_DASHES.length);
    expect(RUN_DASHES).not.toContain('dot');
  });
});

describe('svgDashArray', () => {
  it('writes plotly px lists as SVG dash arrays', () => {
    expect(svgDashArray('solid')).toBe('none');
    expect(svgDashArray('10px,4px,2px,4px')).toBe('10,4,2,4');
  });
});
