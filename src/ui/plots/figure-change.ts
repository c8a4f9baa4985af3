/**
 * What changed between two figures of one plot, so a redraw that would change nothing is skipped
 * and plotly recomputes (its calc step) only when data changed. Pure: traces and layouts in, a verdict
 * out.
 *
 * Data arrays are compared by identity: the trace builders hand back the same arrays while a run's
 * checkpoints are the same (see traces.ts, dlr-traces.ts), and comparing thousands of numbers would
 * cost what the skip saves. Short arrays (a marker at one point, a range, a tick list) are compared by
 * value, since builders make them afresh each time.
 */

/** 'none': draw nothing; 'layout': only the layout changed; 'traces': some trace changed. */
export type FigureChange = 'none' | 'layout' | 'traces';

/** Arrays up to this length are compared element by element; longer ones by identity. */
const SHORT_ARRAY = 16;

/** Whether two plotly values (attributes of a trace or a layout) are the same for drawing. */
export function sameFigureValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    if (a.length > SHORT_ARRAY) return false;
    return a.every((value, i) => sameFigureValue(value, b[i]));
  }
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) return false;
  const aKeys = Object.keys(a);
  const bRecord = b as Record<string, unknown>;
  if (aKeys.length !== Object.keys(b).length) return false;
  const aRecord = a as Record<string, unknown>;
  return aKeys.every((key) => key in bRecord && sameFigureValue(aRecord[key], bRecord[key]));
}

/** Whether every trace of `next` is the same as the one at its place in `previous`. */
export function sameTraces(previous: readonly object[], next: readonly object[]): boolean {
  return previous.length === next.length && previous.every((trace, i) => sameFigureValue(trace, next[i]));
}

/**
 * What a redraw from (`previous`) to (`next`) changes; any change of the colour scheme or of the
 * previous figure being unknown (null: not drawn yet) counts as 'traces'.
 */
export function figureChange(
  previous: { traces: readonly object[]; layout: object; dark: boolean } | null,
  next: { traces: readonly object[]; layout: object; dark: boolean },
): FigureChange {
  if (previous === null || previous.dark !== next.dark) return 'traces';
  if (!sameTraces(previous.traces, next.traces)) return 'traces';
  return sameFigureValue(previous.layout, next.layout) ? 'none' : 'layout';
}
