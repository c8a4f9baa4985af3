/**
 * The dashboard as a TensorBoard or W&B user expects it: plots that reflow on any resize, a mode
 * bar without any upload, one legend (the Runs panel) and one hover for all runs, the slider's step
 * marked, selections driving the spectra, distinct colours, quiet skipping of side files.
 */
import type { Page } from '@playwright/test';
import { exampleRows, expect, test, type PlotId } from './fixtures';

const MAIN_PLOTS: PlotId[] = ['plot-mass', 'plot-utilization', 'plot-eigenvalues', 'plot-dlr-steps'];

/** Pairs of blocks (neither inside the other) whose boxes overlap by more than a pixel. */
async function overlaps(page: Page): Promise<string[]> {
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

/** Each main plot's height, and whether plotly's drawing fits its container's width. */
async function plotSizes(page: Page) {
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
  }, MAIN_PLOTS);
}

test.describe('layout', () => {
  test('the plots reflow at 1440, 1100 and 800 px: ≥ 200 px tall, no overlap, no sideways scroll', async ({
    page,
    table,
  }) => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto('/');
    await table.expectRows(exampleRows());
    for (const width of [1440, 1100, 800]) {
      await page.setViewportSize({ width, height: 900 });
      await expect
        .poll(async () =>
          (await plotSizes(page)).every(
            (p) => p.height >= 200 && Math.abs(p.drawnWidth - p.width) <= 1 && p.drawnHeight >= 200,
          ),
        )
        .toBe(true);
      expect(await overlaps(page), `overlapping blocks at ${width} px`).toEqual([]);
      const sideways = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(sideways, `page scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
    }
  });

  test('a plot enlarged to the whole window redraws at its size and goes back with Escape', async ({
    page,
    table,
  }) => {
    await page.goto('/');
    await table.expectRows(exampleRows());
    await page.getByRole('button', { name: /^Enlarge D_LR over training/ }).click();
    const viewport = page.viewportSize()!;
    await expect
      .poll(async () => (await plotSizes(page)).find((p) => p.id === 'plot-dlr-steps')!.drawnHeight)
      .toBeGreaterThan(viewport.height - 120);
    await page.keyboard.press('Escape');
    await expect
      .poll(async () => (await plotSizes(page)).find((p) => p.id === 'plot-dlr-steps')!.drawnHeight)
      .toBeLessThan(400);
  });
});

test.describe('privacy of the mode bar', () => {
  test('no mode-bar button uploads; no click anywhere opens an external URL', async ({ page, table }) => {
    const foreign: string[] = [];
    const isLocal = (url: string) => {
      const { hostname, protocol } = new URL(url);
      return (
        hostname === '127.0.0.1' || protocol === 'blob:' || protocol === 'data:' || protocol === 'about:'
      );
    };
    page.on('request', (request) => {
      if (!isLocal(request.url())) foreign.push(request.url());
    });
    page.context().on('page', (opened) => {
      if (!isLocal(opened.url())) foreign.push(`new page ${opened.url()}`);
    });
    await page.goto('/');
    await table.expectRows(exampleRows());

    // Every plot: plotly's config offers no cloud, and its mode bar only offline buttons.
    const allowed = ['Zoom', 'Pan', 'Zoom in', 'Zoom out', 'Autoscale', 'Reset axes'];
    for (const id of MAIN_PLOTS) {
      const plot = page.getByTestId(id);
      await plot.hover();
      const titles = await plot
        .locator('.modebar-btn')
        .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-title') ?? ''));
      expect(titles.length).toBeGreaterThan(0);
      for (const title of titles) expect(allowed, `${id}: ${title}`).toContain(title);
      const config = await plot.evaluate(
        (div) => (div as unknown as { _context: Record<string, unknown> })._context,
      );
      expect(config.showSendToCloud).toBe(false);
      expect(config.plotlyServerURL).toBe('');
    }
    await expect(
      page.locator('.modebar-btn[data-title*="Share" i], .modebar-btn[data-title*="cloud" i]'),
    ).toHaveCount(0);

    // Click every mode-bar button of every plot, and every link of the page.
    for (const id of MAIN_PLOTS) {
      const plot = page.getByTestId(id);
      const count = await plot.locator('.modebar-btn').count();
      for (let i = 0; i < count; i++) {
        await plot.hover();
        await plot.locator('.modebar-btn').nth(i).click();
      }
    }
    const hrefs = await page
      .locator('a[href]')
      .evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href));
    for (const href of hrefs) expect(isLocal(href), href).toBe(true);
    expect(foreign).toEqual([]);
  });
});
