/**
 * The dashboard as a TensorBoard or W&B user expects it: plots that reflow on any resize, a mode
 * bar without any upload, one legend (the Runs panel) and one hover for all runs, the slider's step
 * marked, selections driving the spectra, distinct colours, quiet skipping of side files.
 */
import { readFileSync } from 'node:fs';
import { exampleRows, expect, fixtureFile, test, type PlotId } from './fixtures';
import { seriousViolations } from './axe';
import {
  drawnMarks,
  expectReflowAt,
  hoverAt,
  hoverText,
  opacities,
  paintedPixels,
  plotSizes,
  drawnTraces,
  traceCount,
  runsDrawn,
  yPixel,
} from './plot-probes';

const MAIN_PLOTS: PlotId[] = ['plot-mass', 'plot-utilization', 'plot-eigenvalues', 'plot-dlr-steps'];

test.describe('layout', () => {
  test('the plots reflow at 1440, 1100 and 800 px: ≥ 200 px tall, no overlap, no sideways scroll', async ({
    page,
    table,
  }) => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto('/');
    await table.expectRows(exampleRows());
    for (const width of [1440, 1100, 800]) {
      await expectReflowAt(page, width, MAIN_PLOTS);
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
      .poll(
        async () => (await plotSizes(page, MAIN_PLOTS)).find((p) => p.id === 'plot-dlr-steps')!.drawnHeight,
      )
      .toBeGreaterThan(viewport.height - 120);
    await page.keyboard.press('Escape');
    await expect
      .poll(
        async () => (await plotSizes(page, MAIN_PLOTS)).find((p) => p.id === 'plot-dlr-steps')!.drawnHeight,
      )
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
    // The method links lead to the app's own copy of docs/method.md, to sections that exist.
    const methodLinks = hrefs.filter((href) => href.includes('method.html#'));
    expect(methodLinks.length).toBeGreaterThan(0);
    const methodPage = await (await page.request.get('/method.html')).text();
    for (const href of methodLinks) expect(methodPage).toContain(`id="${new URL(href).hash.slice(1)}"`);
    expect(foreign).toEqual([]);
  });
});

test.describe('one legend, one hover', () => {
  test.beforeEach(async ({ page, table }) => {
    await page.goto('/');
    await table.expectRows(exampleRows());
  });

  test('the Runs panel is the only legend: toggling a run hides it in all four plots', async ({
    page,
    runsPanel,
  }) => {
    const runs = ['learn-grokking', 'learn-last-layer', 'learn-lazy-alpha', 'learn-rich'];
    for (const id of MAIN_PLOTS) {
      await expect.poll(async () => [...new Set(await runsDrawn(page, id))].sort()).toEqual(runs);
      const legend = await page
        .getByTestId(id)
        .evaluate(
          (div) => (div as unknown as { _fullLayout: { showlegend: boolean } })._fullLayout.showlegend,
        );
      expect(legend, `${id} draws a legend of its own`).toBe(false);
    }
    await runsPanel.run('learn-rich').getByLabel('Show learn-rich').uncheck();
    for (const id of MAIN_PLOTS) await expect.poll(() => runsDrawn(page, id)).not.toContain('learn-rich');
    await runsPanel.run('learn-rich').getByLabel('Show learn-rich').check();
    for (const id of MAIN_PLOTS) await expect.poll(() => runsDrawn(page, id)).toContain('learn-rich');

    // Hide all / show all, and a filter that lists only matching runs.
    // the curves reach the screen (painted in the curve painter's worker), and leave it
    for (const id of MAIN_PLOTS)
      await expect.poll(() => page.getByTestId(id).evaluate(paintedPixels)).toBeGreaterThan(500);
    await runsPanel.root.getByRole('button', { name: 'Hide all' }).click();
    for (const id of MAIN_PLOTS) await expect(page.getByTestId(id)).toHaveAttribute('data-empty', 'true');
    for (const id of MAIN_PLOTS)
      await expect.poll(() => page.getByTestId(id).evaluate(paintedPixels)).toBe(0);
    await expect(page.locator('.plot-empty').first()).toContainText('Show all');
    await runsPanel.root.getByLabel('Filter runs by name (regular expression)').fill('^learn-(rich|grok)');
    await expect(runsPanel.root.getByTestId('run')).toHaveCount(2);
    await runsPanel.root.getByRole('button', { name: 'Show listed' }).click();
    await expect
      .poll(async () => [...new Set(await runsDrawn(page, 'plot-mass'))].sort())
      .toEqual(['learn-grokking', 'learn-rich']);
  });

  test('hovering a run in the list or in a plot brings it forward in every plot', async ({
    page,
    runsPanel,
  }) => {
    await runsPanel.run('learn-grokking').hover();
    for (const id of MAIN_PLOTS) {
      await expect
        .poll(async () =>
          (await opacities(page, id)).every(([run, o]) => (run === 'learn-grokking' ? o === 1 : o < 0.5)),
        )
        .toBe(true);
    }
    // From a plot: the run nearest the pointer is highlighted in the list.
    await hoverAt(page, 'plot-utilization', 10);
    await expect(runsPanel.root.locator('.run-hovered')).toHaveCount(1);
    const hovered = await runsPanel.root.locator('.run-hovered').getAttribute('data-run');
    for (const id of MAIN_PLOTS) {
      await expect
        .poll(async () =>
          (await opacities(page, id)).every(([run, o]) => (run === hovered ? o === 1 : o < 0.5)),
        )
        .toBe(true);
    }
  });

  test('clicking from one run’s controls to another’s hands the highlight over with no gap', async ({
    page,
    runsPanel,
  }) => {
    // Every plot redraws when the highlight changes: passing through "no run" would redraw them twice.
    await runsPanel.run('learn-rich').getByLabel('Name of run learn-rich').click();
    await runsPanel.root.evaluate((panel) => {
      const counts: number[] = [];
      (window as unknown as { hoveredCounts: number[] }).hoveredCounts = counts;
      new MutationObserver(() => counts.push(panel.querySelectorAll('.run-hovered').length)).observe(panel, {
        subtree: true,
        attributeFilter: ['class'],
      });
    });
    await runsPanel.run('learn-grokking').getByLabel('Name of run learn-grokking').click();
    await expect(runsPanel.run('learn-grokking')).toHaveClass(/run-hovered/);
    const counts = await page.evaluate(
      () => (window as unknown as { hoveredCounts: number[] }).hoveredCounts,
    );
    expect(counts.length).toBeGreaterThan(0);
    expect(counts).not.toContain(0);
    // each run's controls are a form of their own (a browser's autofill reads a changed field's form)
    const ownForms = await runsPanel.root.getByTestId('run').evaluateAll((items) =>
      items.map((item) => {
        const fields = Array.from(item.querySelectorAll('input'));
        return fields.every(
          (field) => field.form !== null && field.form === fields[0].form && item.contains(field.form),
        );
      }),
    );
    expect(ownForms).toEqual([true, true, true, true]);
  });

  test('the plots follow the system’s colour scheme while the page is open', async ({ page }) => {
    const surface = () =>
      page
        .getByTestId('plot-mass')
        .evaluate(
          (div) => (div as unknown as { _fullLayout: { paper_bgcolor: string } })._fullLayout.paper_bgcolor,
        );
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(surface).toBe('#ffffff');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(surface).toBe('#16181d');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(surface).toBe('#ffffff');
  });

  test('one hover lists every visible run at that k or step, D_LR’s with test accuracy', async ({ page }) => {
    const runs = ['learn-grokking', 'learn-last-layer', 'learn-lazy-alpha', 'learn-rich'];
    await hoverAt(page, 'plot-utilization', 10);
    await expect.poll(() => hoverText(page, 'plot-utilization')).toContain('k = 10');
    const spectrum = await hoverText(page, 'plot-utilization');
    for (const run of runs) expect(spectrum).toContain(`${run} · step`);
    // Each run's own step is named: the grokking run is at 1600, the others at their last, 600.
    expect(spectrum).toContain('learn-grokking · step 1600');
    expect(spectrum).toContain('learn-rich · step 600');

    await page.getByTestId('plot-dlr-steps').scrollIntoViewIfNeeded();
    await hoverAt(page, 'plot-dlr-steps', 100);
    await expect.poll(() => hoverText(page, 'plot-dlr-steps')).toContain('step 100');
    const dlr = await hoverText(page, 'plot-dlr-steps');
    for (const run of runs) {
      expect(dlr).toContain(`${run} · D_LR = `);
      expect(dlr).toContain(`${run} · test accuracy = `);
    }
  });

  test('the keyboard reads a spectrum as the hover does: keys step through k, the readout is announced', async ({
    page,
  }) => {
    const plot = page.getByTestId('plot-utilization');
    const readout = page.getByTestId('plot-utilization-readout');
    await plot.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => hoverText(page, 'plot-utilization')).toMatch(/^k = 1\D/);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => hoverText(page, 'plot-utilization')).toMatch(/^k = 2\D/);
    const keyed = await hoverText(page, 'plot-utilization');
    for (const run of ['learn-grokking', 'learn-last-layer', 'learn-lazy-alpha', 'learn-rich'])
      expect(keyed).toContain(`${run} · step`);
    await expect(readout).toHaveText(/^k = 2\D.*; learn-rich · step 600: Π̂\(k\) = 0\.\d+$/);
    await page.keyboard.press('PageDown');
    await expect.poll(() => hoverText(page, 'plot-utilization')).not.toMatch(/^k = 2\D/);
    await page.keyboard.press('End');
    const last = Number(/^k = (\d+)/.exec(await hoverText(page, 'plot-utilization'))![1]);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => hoverText(page, 'plot-utilization')).toMatch(new RegExp(`^k = ${last}\\D`));
    // leaving the plot ends the readout; the pointer's hover at k = 2 lists the same
    await plot.blur();
    await expect.poll(() => hoverText(page, 'plot-utilization')).toBe('');
    await hoverAt(page, 'plot-utilization', 2);
    await expect.poll(() => hoverText(page, 'plot-utilization')).toBe(keyed);
  });
});

test.describe('steps', () => {
  test('“D_LR over training” marks the slider’s step; runs drawn at another step are named', async ({
    page,
    table,
    plots,
  }) => {
    await page.goto('/');
    await table.expectRows(exampleRows());
    // the step lines drawn over the plot, each where plotly's x axis puts its step
    const marked = async () => {
      const steps = (await drawnMarks(page, 'plot-dlr-steps')).filter((m) => m.kind === 'step');
      for (const mark of steps) expect(Math.abs(mark.px - mark.expectedPx)).toBeLessThan(0.5);
      return steps.map((m) => m.x);
    };
    // Latest: 1600, which only the grokking run has.
    await expect(plots.stepValue).toHaveText('1600');
    await expect.poll(marked).toEqual([1600]);
    await expect(page.getByTestId('step-mismatch')).toContainText('learn-rich (drawn at step 600)');
    await expect(page.getByTestId('step-mismatch')).not.toContainText('learn-grokking');
    await plots.stepSlider.focus();
    await page.keyboard.press('Home');
    await expect(plots.stepValue).toHaveText('20');
    await expect.poll(marked).toEqual([20]);
    await expect(page.getByTestId('step-mismatch')).toContainText('learn-grokking (drawn at step 100)');
    await page.keyboard.press('ArrowRight');
    await expect(plots.stepValue).toHaveText('100');
    await expect.poll(marked).toEqual([100]);
    await expect(page.getByTestId('step-mismatch')).toHaveCount(0);
  });

  test('selecting a checkpoint drives the spectra to its step (and run, across checkpoints)', async ({
    page,
    table,
    plots,
  }) => {
    await page.goto('/');
    await table.expectRows(exampleRows());
    await table.row('learn-rich', 100).click();
    await expect(plots.stepValue).toHaveText('100');
    // "D_LR over training" rings the selected point, where plotly's axes put its step and D_LR
    const dlr = Number(await table.row('learn-rich', 100).getAttribute('data-dlr'));
    await expect
      .poll(async () => (await drawnMarks(page, 'plot-dlr-steps')).filter((m) => m.kind === 'ring'))
      .toHaveLength(1);
    const [ring] = (await drawnMarks(page, 'plot-dlr-steps')).filter((m) => m.kind === 'ring');
    expect(ring.x).toBe(100);
    expect(Math.abs(ring.px - ring.expectedPx)).toBeLessThan(0.5);
    expect(Math.abs(ring.py! - (await yPixel(page, 'plot-dlr-steps', dlr)))).toBeLessThan(0.5);
    await expect
      .poll(() =>
        page
          .getByTestId('plot-mass')
          .evaluate(drawnTraces)
          .then((traces) =>
            traces.filter((t) => t.meta === 'learn-rich').map((t) => t.hovertemplate.split(':')[0]),
          ),
      )
      .toEqual(['learn-rich · step 100']);
    await expect(page.getByTestId('checkpoint-details')).toContainText('learn-rich, step 100');

    await page.getByLabel('across checkpoints of').check();
    await table.row('learn-grokking', 800).click();
    await expect(page.getByLabel('Run shown across its checkpoints')).toHaveValue('learn-grokking');
    await expect(plots.stepValue).toHaveText('800');
    await expect
      .poll(async () => (await plots.traceData('plot-eigenvalues')).map((t) => t.name))
      .toEqual(['step 100', 'step 800']);
    await expect(page.getByTestId('step-colour-bar')).toContainText('100');
    await expect(page.getByTestId('step-colour-bar')).toContainText('1600');
  });
});

test.describe('runs, files and messages', () => {
  test('colours stay distinct after a results bundle is dropped into a session; names stay unique', async ({
    page,
    table,
    runsPanel,
    dropZone,
  }) => {
    await page.goto('/');
    await table.expectRows(exampleRows());
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Results bundle' }).click(),
    ]);
    const bundle = readFileSync((await download.path())!);
    await runsPanel.removeAll();
    // One run first: it takes the palette's first colour, which the bundle's first run also stored.
    await dropZone.dropFiles([fixtureFile('mlp96_rich_step0_train.npz')]);
    await table.expectRows(1);
    await dropZone.dropFiles({
      name: 'examples.richscope.json',
      mimeType: 'application/json',
      buffer: bundle,
    });
    await table.expectRows(1 + exampleRows());
    const styles = await runsPanel.root
      .getByTestId('run')
      .evaluateAll((items) =>
        items.map((i) => `${i.getAttribute('data-colour')} ${i.getAttribute('data-dash')}`),
      );
    expect(styles).toHaveLength(5);
    const colours = styles.map((s) => s.split(' ')[0].toLowerCase());
    expect(new Set(colours).size).toBe(5);

    // Renaming a run to another run's name is refused, with a reason.
    const name = runsPanel.run('mlp96_rich').getByLabel('Name of run mlp96_rich');
    // the name field shows only its start: hovering it gives the whole name
    await expect(name).toHaveAttribute('title', 'mlp96_rich');
    await name.fill('learn-rich');
    await name.press('Enter');
    await expect(runsPanel.run('mlp96_rich').getByRole('alert')).toContainText('Another run is called');
    await expect(runsPanel.run('learn-rich')).toHaveCount(1);
  });

  test('side files of a dropped folder are skipped quietly and listed; a failed file leaves no run', async ({
    page,
    table,
    runsPanel,
    dropZone,
  }) => {
    await page.goto('/');
    await table.expectRows(exampleRows());
    await runsPanel.removeAll();
    await dropZone.dropFiles([
      { name: 'README.md', mimeType: 'text/markdown', buffer: Buffer.from('# my sweep\n') },
      { name: 'config.json', mimeType: 'application/json', buffer: Buffer.from('{"lr": 0.1}') },
      { name: '.DS_Store', mimeType: 'application/octet-stream', buffer: Buffer.from([0, 1, 2]) },
      {
        name: 'a_very_long_run_name_with_many_parts_step0_train.npz',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from('this is not a zip archive'),
      },
      fixtureFile('mlp96_rich_step0_train.npz'),
    ]);
    await table.expectRows(1);
    const skipped = page.getByTestId('skipped-files');
    await expect(skipped).toContainText('Skipped 3 files that hold no data');
    await skipped.locator('summary').click();
    for (const name of ['README.md', 'config.json', '.DS_Store']) await expect(skipped).toContainText(name);
    // The one real problem is the one alert; its run is not left behind with 0 checkpoints.
    await expect(page.getByRole('alert')).toHaveCount(1);
    await expect(page.getByRole('alert')).toContainText(
      'a_very_long_run_name_with_many_parts_step0_train.npz',
    );
    await expect(runsPanel.root.getByTestId('run')).toHaveCount(1);
    await expect(runsPanel.root).not.toContainText('0 ckpt');
    // The long name wraps at its parts: its alert stays a few lines high in the sidebar.
    const alertBox = (await page.getByRole('alert').boundingBox())!;
    expect(alertBox.height).toBeLessThan(80);
  });

  test('Remove all can be undone; a link naming an unknown run says so; header help on focus; skip link', async ({
    page,
    table,
    runsPanel,
  }) => {
    await page.goto('/#/?sel=not-here@5');
    await table.expectRows(exampleRows());
    await expect(page.getByTestId('unknown-run')).toContainText('“not-here”');

    // The page's first Tab stop is the skip link, past the header and every run's controls.
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Skip to the plots' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.locator('#plots')).toBeFocused();

    await runsPanel.removeAll();
    await page.getByTestId('undo-removal').getByRole('button', { name: 'Undo' }).click();
    await table.expectRows(exampleRows());
    await runsPanel.root.getByRole('button', { name: 'Remove run learn-rich' }).click();
    await expect(page.getByTestId('undo-removal')).toContainText('Removed run “learn-rich”');
    await page.getByTestId('undo-removal').getByRole('button', { name: 'Undo' }).click();
    await expect(runsPanel.run('learn-rich')).toHaveCount(1);

    await page.getByRole('button', { name: /^D_LR ± s\.e\.$/ }).focus();
    await expect(page.getByTestId('column-help')).toContainText('0 = rich, 1 = lazy');
  });
});

test.describe('accessibility', () => {
  test('axe-core finds no serious or critical violation on the dashboard and on Learn', async ({
    page,
    table,
  }) => {
    await page.goto('/');
    await table.expectRows(exampleRows());
    await table.row('learn-rich', 600).click();
    await expect.poll(() => traceCount(page, 'plot-rank-profile')).toBe(2);
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto('/#/learn');
    await expect(page.getByTestId('trainer')).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
});

test.describe('Learn', () => {
  test('training brings the plots into view; the spectra scrub through the run’s checkpoints', async ({
    page,
  }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto('/#/learn');
    await page.getByTestId('scenario-grokking').click();
    await expect(page.getByRole('heading', { level: 3 })).toContainText('D_LR (99% output energy) falls');
    await page.getByTestId('trainer-steps').fill('60');
    await page.getByTestId('trainer-every').fill('20');
    await page.getByTestId('trainer-start').click();
    await expect(page.locator('#learn-curves')).toBeInViewport();
    const trainer = page.getByTestId('trainer');
    await expect(trainer).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
    const stepsShown = () =>
      page
        .getByTestId('learn-plot-eigenvalues')
        .evaluate((div) =>
          ((div as unknown as { data?: { hovertemplate?: string }[] }).data ?? []).map(
            (t) => /step (\d+)/.exec(t.hovertemplate ?? '')?.[1],
          ),
        );
    await expect.poll(stepsShown, { timeout: 10_000 }).toEqual(['60']);
    const slider = page.getByTestId('learn-step-slider');
    await slider.focus();
    await page.keyboard.press('Home');
    // The first checkpoint, then the next: the spectra follow the slider.
    const first = await page.getByTestId('learn-step-value').textContent();
    expect(Number(first)).toBeLessThan(60);
    await expect.poll(stepsShown, { timeout: 10_000 }).toEqual([first]);
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('learn-step-value')).not.toHaveText(first!);
    const next = await page.getByTestId('learn-step-value').textContent();
    expect(Number(next)).toBeGreaterThan(Number(first));
    await expect.poll(stepsShown, { timeout: 10_000 }).toEqual([next]);
  });
});
