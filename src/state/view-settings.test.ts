import { describe, expect, it } from 'vitest';
import { defaultViewSettings, formatHash, parseHash } from './view-settings';

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
      logEigenvalues: false,
      kMinRelative: 1e-4,
      aggregateSeeds: true,
      sortColumn: 'dlr' as const,
      sortDescending: true,
    };
    const hash = formatHash('dashboard', view);
    expect(parseHash(hash)).toEqual({ route: 'dashboard', view });
  });

  it('falls back to defaults for malformed values', () => {
    const { route, view } = parseHash('#/learn?mode=bogus&step=abc&kmin=7&sort=nope&logeig=maybe&sel=x');
    expect(route).toBe('learn');
    expect(view).toEqual(defaultViewSettings);
  });

  it('treats an empty or unknown path as the dashboard', () => {
    expect(parseHash('').route).toBe('dashboard');
    expect(parseHash('#/unknown').route).toBe('dashboard');
  });
});
