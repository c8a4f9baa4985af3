/**
 * Rows of float64 matrices packed into the 4-column panels of `gemm_tn_f64` (gram.wat): panel q holds
 * columns 4q .. 4q + 3, row by row (32 bytes a row). Shared by the product (gemm.ts) and the Gram
 * kernel's outer products (gram.ts).
 */

/** Rows [r0, r0 + count) of the first `width` columns of a row-major matrix into 4-column panels. */
export function pack(
  source: Float64Array,
  stride: number,
  width: number,
  r0: number,
  count: number,
  panels: Float64Array,
): void {
  const panelStride = count * 4;
  const whole = clearPartialPanel(panels, width, panelStride);
  for (let i = 0; i < count; i++) {
    const from = (r0 + i) * stride;
    let at = i * 4;
    let j = 0;
    for (; j < whole; j += 4, at += panelStride) {
      panels[at] = source[from + j];
      panels[at + 1] = source[from + j + 1];
      panels[at + 2] = source[from + j + 2];
      panels[at + 3] = source[from + j + 3];
    }
    for (let t = 0; j < width; j++, t++) panels[at + t] = source[from + j];
  }
}

/** The same panels as `pack`, read from A^T (rows `stride` apart): row j of the source is column j of A. */
export function packTransposed(
  source: Float64Array,
  stride: number,
  width: number,
  r0: number,
  count: number,
  panels: Float64Array,
): void {
  const panelStride = count * 4;
  const whole = clearPartialPanel(panels, width, panelStride);
  // four source rows at a time, so each panel row is written whole
  let j = 0;
  for (; j < whole; j += 4) {
    const f0 = j * stride + r0;
    const f1 = f0 + stride;
    const f2 = f1 + stride;
    const f3 = f2 + stride;
    for (let i = 0, at = (j >> 2) * panelStride; i < count; i++, at += 4) {
      panels[at] = source[f0 + i];
      panels[at + 1] = source[f1 + i];
      panels[at + 2] = source[f2 + i];
      panels[at + 3] = source[f3 + i];
    }
  }
  for (; j < width; j++) {
    const at = (j >> 2) * panelStride + (j & 3);
    const from = j * stride + r0;
    for (let i = 0; i < count; i++) panels[at + i * 4] = source[from + i];
  }
}

/**
 * Clears a last, partial panel, the only one with columns no source column fills; returns the columns
 * of the whole panels.
 */
function clearPartialPanel(panels: Float64Array, width: number, panelStride: number): number {
  const whole = width & ~3;
  if (whole < width) panels.fill(0, (whole >> 2) * panelStride, ((whole >> 2) + 1) * panelStride);
  return whole;
}
