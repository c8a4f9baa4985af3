/** What the UX specs read off a drawn plot: sizes, overlaps, the runs it draws, their emphasis, its hover. */
import { expect, type Page } from '@playwright/test';

/** A trace as a plot draws it, in the page: what the specs compare, and its opacity as drawn. */
export interface DrawnTrace {
  name: string;
  meta: unknown;
  y: number[];
  errors: number[] | null;
  hovertemplate: string;
  opacity: number;
}

/**
 * In the page: the scatter traces plot `div` draws, in order. Curves on a canvas (Plot's
 * `curvesOnCanvas`) are read from what the canvas last painted; plotly's from the trace groups of its
 * SVG, to which it binds each trace. Passed to `evaluate` whole, so it refers to nothing outside.
 */
export function drawnTraces(div: Element): DrawnTrace[] {
  type Source = {
    name?: string;
    meta?: unknown;
    y?: ArrayLike<number>;
    error_y?: { array?: ArrayLike<number> };
    hovertemplate?: string;
  };
  const pick = (trace: Source, opacity: number): DrawnTrace => ({
    name: trace.name ?? '',
    meta: trace.meta ?? null,
    y: Array.from(trace.y ?? []),
    errors: trace.error_y?.array ? Array.from(trace.error_y.array) : null,
    hovertemplate: trace.hovertemplate ?? '',
    opacity,
  });
  const canvas = div.parentElement?.querySelector('canvas.plot-curves') as
    (HTMLCanvasElement & { drawnCurves?: { trace: Source; opacity: number }[] }) | null;
  if (canvas) return (canvas.drawnCurves ?? []).map(({ trace, opacity }) => pick(trace, opacity));
  return Array.from(div.querySelectorAll('.scatterlayer > .trace')).map((group) => {
    const bound = (group as unknown as { __data__?: { trace?: Source & { _input?: Source } }[] })
      .__data__?.[0]?.trace;
    return pick(bound?._input ?? bound ?? {}, Number(getComputedStyle(group).opacity));
  });
}

/**
 * In the page: how many pixels of plot `div`'s curve canvas are painted, as the page shows them
 * (copied from the canvas, which may be painted by the curve painter's worker).
 */
export function paintedPixels(div: Element): number {
  const canvas = div.parentElement?.querySelector('canvas.plot-curves') as HTMLCanvasElement | null;
  if (!canvas || canvas.width === 0 || canvas.height === 0) return 0;
  const copy = document.createElement('canvas');
  copy.width = canvas.width;
  copy.height = canvas.height;
  const context = copy.getContext('2d')!;
  context.drawImage(canvas, 0, 0);
  const pixels = context.getImageData(0, 0, copy.width, copy.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  return painted;
}

/** Pairs of blocks (neither inside the other) whose boxes overlap by more than a pixel. */
export async function overlaps(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const blocks = Array.from(
      document.querySelectorAll(
        '.sidebar > *, .main-column > *, .two-columns > *, figure.plot, .table-scroll',
      ),
    ).filter((e) => e.getBoundingClientRect().height > 0);
    const found: string[] = [];
    for (let i = 0; i < blocks.length; i++) {
      for (let j = i + 1; j < blocks.length; j++) {
        const [a, b] = [blocks[i], blocks[j]];
        if (a.contains(b) || b.contains(a)) continue;
        const ra = a.getBoundingClientRect();
        const rb = b.getBoundingClientRect();
        const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
        const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
        if (w > 1 && h > 1) found.push(`${a.className} / ${b.className}`);
      }
    }
    return found;
  });
}

/** Each plot's height, and whether plotly's drawing fits its container's width. */
export async function plotSizes(page: Page, ids: readonly string[]) {
  return page.evaluate((ids) => {
    return ids.map((id) => {
      const div = document.querySelector(`[data-testid="${id}"]`)!;
      const svg = div.querySelector('svg.main-svg');
      return {
        id,
        height: div.getBoundingClientRect().height,
        width: div.getBoundingClientRect().width,
        drawnWidth: svg ? svg.getBoundingClientRect().width : 0,
        drawnHeight: svg ? svg.getBoundingClientRect().height : 0,
      };
    });
  }, ids);
}

/**
 * Sets the window to `width` and waits until every plot in `ids` is at least 200 px high with its
 * drawing fitted to its container; then no two blocks may overlap.
 */
export async function expectReflowAt(page: Page, width: number, ids: readonly string[]): Promise<void> {
  await page.setViewportSize({ width, height: 900 });
  await expect
    .poll(async () =>
      (await plotSizes(page, ids)).every(
        (p) => p.height >= 200 && Math.abs(p.drawnWidth - p.width) <= 1 && p.drawnHeight >= 200,
      ),
    )
    .toBe(true);
  expect(await overlaps(page), `overlapping blocks at ${width} px`).toEqual([]);
}

/** How many scatter traces plot `id` draws. */
export async function traceCount(page: Page, id: string): Promise<number> {
  return (await page.getByTestId(id).evaluate(drawnTraces)).length;
}

/** The run ids of the traces a plot draws (each run's traces carry it as `meta`). */
export async function runsDrawn(page: Page, id: string): Promise<string[]> {
  return (await page.getByTestId(id).evaluate(drawnTraces))
    .map((t) => t.meta)
    .filter((m): m is string => typeof m === 'string');
}

/** Each run's trace and its opacity as drawn in a plot. */
export async function opacities(page: Page, id: string): Promise<[string, number][]> {
  return (await page.getByTestId(id).evaluate(drawnTraces)).flatMap(({ meta, opacity }) =>
    typeof meta === 'string' ? [[meta, opacity] as [string, number]] : [],
  );
}

/**
 * Moves the pointer over a plot at x (data units of a linear x axis; the index on a category axis),
 * halfway up its plot area.
 */
export async function hoverAt(page: Page, id: string, x: number): Promise<void> {
  const at = await page.getByTestId(id).evaluate((div, x) => {
    type Axis = { _offset: number; _length: number; l2p: (v: number) => number };
    const { xaxis, yaxis } = (div as unknown as { _fullLayout: { xaxis: Axis; yaxis: Axis } })._fullLayout;
    const box = div.getBoundingClientRect();
    return { x: box.left + xaxis._offset + xaxis.l2p(x), y: box.top + yaxis._offset + yaxis._length / 2 };
  }, x);
  await page.mouse.move(at.x, at.y);
}

/** The text of a plot's hover label(s): plotly's, or the hover of curves on a canvas. */
export function hoverText(page: Page, id: string): Promise<string> {
  return page.getByTestId(id).evaluate((div) => {
    const own = div.parentElement?.querySelector<HTMLElement>('.plot-hover');
    if (own) return own.hidden ? '' : (own.textContent ?? '');
    return div.querySelector('.hoverlayer')?.textContent ?? '';
  });
}

/** A mark drawn over a plot (a ring or a step line), with where plotly's own axes put its data point. */
export interface DrawnMark {
  kind: string;
  /** the mark's x in data units */
  x: number;
  /** its pixel x on the marks layer, and where the plot's x axis puts `x` */
  px: number;
  expectedPx: number;
  /** a ring's pixel y, and where the y axis puts the D_LR it rings (null for a step line) */
  py: number | null;
}

/** The marks over plot `id`: the selected checkpoint's ring, the spectra's step. */
export function drawnMarks(page: Page, id: string): Promise<DrawnMark[]> {
  return page.getByTestId(id).evaluate((div) => {
    type Axis = { _offset: number; c2p: (v: number) => number };
    const { xaxis } = (div as unknown as { _fullLayout: { xaxis: Axis } })._fullLayout;
    const layer = div.parentElement!.querySelector('.plot-marks')!;
    return Array.from(layer.querySelectorAll<SVGElement>('[data-mark]')).map((mark) => {
      const x = Number(mark.dataset.x);
      const ring = mark.dataset.mark === 'ring';
      const px = Number((ring ? mark : mark.querySelector('line')!).getAttribute(ring ? 'cx' : 'x1'));
      return {
        kind: mark.dataset.mark!,
        x,
        px,
        expectedPx: xaxis._offset + xaxis.c2p(x),
        py: ring ? Number(mark.getAttribute('cy')) : null,
      };
    });
  });
}

/** Where the y axis of plot `id` puts `y`, in the marks layer's pixels. */
export function yPixel(page: Page, id: string, y: number): Promise<number> {
  return page.getByTestId(id).evaluate((div, y) => {
    type Axis = { _offset: number; c2p: (v: number) => number };
    const { yaxis } = (div as unknown as { _fullLayout: { yaxis: Axis } })._fullLayout;
    return yaxis._offset + yaxis.c2p(y);
  }, y);
}

/** Where in the page (CSS px) plot `id` draws the data point (x, y) of its first axes. */
export function pagePixel(page: Page, id: string, x: number, y: number): Promise<{ x: number; y: number }> {
  return page.getByTestId(id).evaluate(
    (div, [x, y]) => {
      type Axis = { _offset: number; c2p: (v: number) => number };
      const { xaxis, yaxis } = (div as unknown as { _fullLayout: { xaxis: Axis; yaxis: Axis } })._fullLayout;
      const box = div.getBoundingClientRect();
      return { x: box.left + xaxis._offset + xaxis.c2p(x), y: box.top + yaxis._offset + yaxis.c2p(y) };
    },
    [x, y],
  );
}
