import { describe, expect, it } from 'vitest';
import { defaultViewSettings, formatHash, parseHash, usableKRange } from './view-settings';

describe('URL hash view settings', () => {
  it('formats the defaults as the bare dashboard route', () => {
    expect(formatHash('dashboard', defaultViewSettings)).toBe('#/');
    expect(formatHash('learn', defaultViewSettings)).toBe('#/learn');
  });

  it('round-trips every setting', () => {
    const view = {
      ...defaultViewSettings,
      spectraMode: 'checkpoints' as const,
      step: 150,
      focusRun: 'mlp96_rich',
      selectedRun: 'run@odd',
      selectedStep: 1500,
      logSteps: true,
      logK: true,
      kRange: [1.5, 30] as const,
      logEigenvalues: false,
      kMinRelative: 1e-4,
      curveForm: 'nystrom' as const,
      aggregateSeeds: true,
      smoothing: 0.6,
      sortColumn: 'dlr' as const,
      sortDescending: true,
      layers: ['encoder.layer.2', 'layer 10', 'features'],
      layerStepsRun: 'mlp96_rich',
    };
    const hash = formatHash('dashboard', view);
    expect(parseHash(hash)).toEqual({ route: 'dashboard', view });
  });

  it('reads the layer list with spaces and empty names dropped', () => {
    expect(parseHash('#/?layers=%20a%20,,b').view.layers).toEqual(['a', 'b']);
    expect(parseHash('#/?layers=,').view.layers).toBeNull();
  });

  it('falls back to defaults for malformed values', () => {
    const { route, view } = parseHash(
      '#/learn?mode=bogus&step=abc&kmin=7&sort=nope&logeig=maybe&sel=x&smooth=1&curves=sums',
    );
    expect(route).toBe('learn');
    expect(view).toEqual(defaultViewSettings);
  });

  it('keeps the zoomed k range as k=lo-hi, in k on either axis, and drops it when autoscaled', () => {
    const zoomed = (kRange: readonly [number, number], logK = false) =>
      formatHash('dashboard', { ...defaultViewSettings, kRange, logK });
    expect(zoomed([1.5, 30])).toBe('#/?k=1.5-30');
    expect(zoomed([2, 64], true)).toBe('#/?logk=1&k=2-64');
    expect(formatHash('dashboard', { ...defaultViewSettings, kRange: null })).toBe('#/');
    // Every number String() can write splits at the right `-`: signs, decimals, exponents.
    for (const kRange of [
      [-0.5, 12],
      [-3, -1],
      [1e-7, 3],
      [0.000123, 1.5],
      [12.3456, 1e21],
      [-1e-9, 4.5e-8],
    ] as const) {
      expect(parseHash(zoomed(kRange)).view.kRange).toEqual(kRange);
    }
    expect(parseHash(zoomed([0.25, 4], true)).view).toEqual({
      ...defaultViewSettings,
      logK: true,
      kRange: [0.25, 4],
    });
  });

  it('ignores a malformed or unusable k range and keeps the other settings', () => {
    for (const k of [
      '',
      '-',
      '5',
      '1-',
      '-3',
      'a-b',
      '1-2-3',
      '1--',
      '30-1.5',
      '4-4',
      'NaN-3',
      '1-Infinity',
      '1e400-1e401',
      '0x10-0x20',
      '1,5-30',
      ' 1 - 30 ',
      '%ZZ',
    ]) {
      const { view } = parseHash(`#/?step=150&k=${k}`);
      expect(view.kRange, k).toBeNull();
      expect(view.step).toBe(150);
    }
    // A log axis has no k <= 0.
    expect(parseHash('#/?logk=1&k=0-10').view.kRange).toBeNull();
    expect(parseHash('#/?logk=1&k=-1-10').view.kRange).toBeNull();
    expect(parseHash('#/?logk=0&k=-1-10').view.kRange).toEqual([-1, 10]);
  });

  it('leaves an unusable k range in the store out of the hash', () => {
    expect(formatHash('dashboard', { ...defaultViewSettings, kRange: [5, 2] })).toBe('#/');
    expect(formatHash('dashboard', { ...defaultViewSettings, logK: true, kRange: [0, 2] })).toBe('#/?logk=1');
    expect(usableKRange([NaN, 2], false)).toBeNull();
    expect(usableKRange([1, 2], true)).toEqual([1, 2]);
  });

  it('treats an empty or unknown path as the dashboard', () => {
    expect(parseHash('').route).toBe('dashboard');
    expect(parseHash('#/unknown').route).toBe('dashboard');
  });
});
