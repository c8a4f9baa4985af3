/** What the UX specs read off a drawn plot: sizes, overlaps, the runs it draws, their emphasis, its hover. */
import { expect, type Page } from '@playwright/test';

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

/** The run ids of the traces a plot holds (each run's traces carry it as `meta`). */
export function runsDrawn(page: Page, id: string): Promise<string[]> {
  return page
    .getByTestId(id)
    .evaluate((div) =>
      ((div as unknown as { data?: { meta?: unknown }[] }).data ?? [])
        .map((t) => t.meta)
        .filter((m): m is string => typeof m === 'string'),
    );
}

/** Each trace's run id and opacity in a plot. */
export function opacities(page: Page, id: string): Promise<[string, number][]> {
  return page.getByTestId(id).evaluate((div) =>
    // as drawn: each trace group of the SVG (plotly binds its trace to it) and its rendered opacity
    Array.from(div.querySelectorAll('.scatterlayer > .trace')).flatMap((group) => {
      const meta = (group as unknown as { __data__?: { trace?: { meta?: unknown } }[] }).__data__?.[0]?.trace
        ?.meta;
      return typeof meta === 'string'
        ? [[meta, Number(getComputedStyle(group).opacity)] as [string, number]]
        : [];
    }),
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

/** The text of a plot's hover label(s). */
export function hoverText(page: Page, id: string): Promise<string> {
  return page
    .getByTestId(id)
    .locator('.hoverlayer')
    .evaluate((layer) => layer.textContent ?? '');
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
