/** The words of the progress row: rows in thousands / millions, a rate, the time left. Pure. */

/** 950 -> '950', 24_576 -> '24.6 k', 1_234_567 -> '1.2 M' (three significant digits at most). */
export function formatCount(value: number): string {
  const abs = Math.abs(value);
  // thresholds just under the next unit, so rounding never writes '1000 k'
  if (abs < 999.5) return String(Math.round(value));
  const [scaled, unit] =
    abs < 999.5e3 ? [value / 1e3, 'k'] : abs < 999.5e6 ? [value / 1e6, 'M'] : [value / 1e9, 'G'];
  const digits = Math.abs(scaled) < 99.95 ? 1 : 0;
  return `${scaled.toFixed(digits).replace(/\.0$/, '')} ${unit}`;
}

/** '24.6 k / 50 k rows' */
export function formatRows(rowsDone: number, rowsTotal: number): string {
  return `${formatCount(rowsDone)} / ${formatCount(rowsTotal)} rows`;
}

/** '1.2 M rows/s' */
export function formatRate(rowsPerSecond: number): string {
  return `${formatCount(rowsPerSecond)} rows/s`;
}

/** '< 1 s left', '12 s left', '2 min 5 s left', '1 h 3 min left' (rounded up: never promises too little). */
export function formatTimeLeft(seconds: number): string {
  if (seconds < 1) return '< 1 s left';
  const whole = Math.ceil(seconds);
  if (whole < 60) return `${whole} s left`;
  if (whole < 3600) {
    const rest = whole % 60;
    return `${Math.floor(whole / 60)} min${rest ? ` ${rest} s` : ''} left`;
  }
  const minutes = Math.ceil(whole / 60);
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ''} left`;
}
