/**
 * How a run is drawn: its colour (the run's own, see src/state/run-colours.ts) and a line dash that keeps runs
 * sharing a colour apart. With the palette's 8 colours and the 7 dashes below, no two of up to 56
 * runs share both; the Runs panel shows both as the legend.
 */
import type { RunSummary } from '../state/run-summaries';

/**
 * Dash patterns for plotly's `line.dash` and SVG's `stroke-dasharray` alike (px lists, so the two
 * draw the same). None is plain dots: dotted lines are test accuracy on "D_LR over training".
 */
export const RUN_DASHES: readonly string[] = [
  'solid',
  '10px,5px',
  '20px,6px',
  '10px,4px,2px,4px',
  '20px,5px,3px,5px',
  '10px,3px,2px,3px,2px,3px',
  '20px,4px,3px,4px,3px,4px',
];

export interface RunStyle {
  colour: string;
  /** a RUN_DASHES entry */
  dash: string;
}

/** A run still waiting for its first checkpoint has no colour yet; drawn (in the list) in grey. */
export const PENDING_COLOUR = '#888888';

/**
 * The style of every run, by id: a run whose colour n earlier runs (in list order) already have
 * gets the n-th dash (cycling past the last).
 */
export function runStyles(runs: readonly Pick<RunSummary, 'id' | 'colour'>[]): Map<string, RunStyle> {
  const seen = new Map<string, number>();
  const styles = new Map<string, RunStyle>();
  for (const run of runs) {
    const colour = run.colour || PENDING_COLOUR;
    const key = colour.toLowerCase();
    const earlier = seen.get(key) ?? 0;
    seen.set(key, earlier + 1);
    styles.set(run.id, { colour, dash: RUN_DASHES[earlier % RUN_DASHES.length] });
  }
  return styles;
}

/** `stroke-dasharray` for an SVG line drawn with a RUN_DASHES entry ('none' for solid). */
export function svgDashArray(dash: string): string {
  return dash === 'solid' ? 'none' : dash.replace(/px/g, '');
}
