import { describe, expect, it } from 'vitest';
import { OFFLINE_MODEBAR_BUTTONS, plotConfig } from './plot-config';

describe('plotConfig', () => {
  it('offers only the offline mode bar buttons, never the cloud upload', () => {
    for (const reset of [false, true]) {
      const config = plotConfig(reset);
      expect(config.showSendToCloud).toBe(false);
      expect(config.plotlyServerURL).toBe('');
      expect(config.displaylogo).toBe(false);
      const buttons = (config.modeBarButtons as string[][]).flat();
      expect(buttons).not.toContain('sendChartToCloud');
      expect(buttons).not.toContain('toImage');
      expect(buttons.slice(0, OFFLINE_MODEBAR_BUTTONS.length)).toEqual([...OFFLINE_MODEBAR_BUTTONS]);
    }
  });

  it('offers “Reset axes” only where a reset goes back to the first-drawn ranges', () => {
    expect((plotConfig(false).modeBarButtons as string[][]).flat()).toContain('resetScale2d');
    expect((plotConfig(true).modeBarButtons as string[][]).flat()).not.toContain('resetScale2d');
    expect(plotConfig(true).doubleClick).toBe('autosize');
    expect(plotConfig(false).doubleClick).toBe('reset+autosize');
  });
});
