/**
 * Plotly, loaded on first use, and when each plot is drawn. Draws run in main-thread tasks apart
 * from React's commit (`queueDraw`), so the first draws never join plotly's evaluation, nor a slow
 * draw another, in one long task. A first draw also compiles most of plotly's drawing code, which
 * V8 compiles lazily: a warm-up figure, drawn off screen in three steps before any plot's turn,
 * spreads that over three shorter tasks instead of one.
 */
import type PlotlyDefault from 'plotly.js-dist-min';

export type PlotlyModule = typeof PlotlyDefault;

let plotlyPromise: Promise<PlotlyModule> | null = null;

export function loadPlotly(): Promise<PlotlyModule> {
  plotlyPromise ??= import('./plotly-partial').then((m) => m.default);
  return plotlyPromise;
}

type Draw = (Plotly: PlotlyModule) => Promise<void> | void;

interface QueuedDraw {
  draw: Draw;
  fail: (error: Error) => void;
}

const pending: QueuedDraw[] = [];
let pumping = false;

/** A task of its own: a message round trip, which (unlike setTimeout) browsers never clamp. */
function nextTask(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * Draws that end within this many ms of their task's start let the next one run in the same task:
 * a repaint of curves on a canvas is short, and each task of its own would cost the page a frame
 * (style, paint, composite) between them. A plotly draw of a changed axis usually outlasts it, so
 * the draw after it waits for a task of its own.
 */
const SHARED_TASK_MS = 12;

let warmedUp = false;

/**
 * Draws a small figure off screen and removes it: the layout without axes, then titled axes, then
 * lines with markers on a log axis; each step compiles what the one before did not need.
 */
async function warmUp(Plotly: PlotlyModule): Promise<void> {
  warmedUp = true;
  if (typeof document === 'undefined') return;
  const div = document.createElement('div');
  div.setAttribute('aria-hidden', 'true');
  div.style.cssText = 'position:fixed;left:-10000px;top:0;width:320px;height:200px;visibility:hidden';
  document.body.append(div);
  try {
    await nextTask();
    await Plotly.newPlot(div, [], { xaxis: { visible: false }, yaxis: { visible: false } });
    await nextTask();
    await Plotly.react(div, [], { xaxis: { title: { text: 'x' } }, yaxis: { title: { text: 'y' } } });
    await nextTask();
    await Plotly.react(div, [{ type: 'scatter', mode: 'lines+markers', x: [1, 2, 3], y: [1, 3, 2] }], {
      xaxis: { type: 'log' },
      hovermode: 'closest',
    });
  } finally {
    Plotly.purge(div);
    div.remove();
  }
}

async function pump(): Promise<void> {
  pumping = true;
  try {
    const Plotly = await loadPlotly();
    if (!warmedUp) await warmUp(Plotly).catch(() => undefined);
    let taskStart = -Infinity;
    while (pending.length > 0) {
      if (performance.now() - taskStart > SHARED_TASK_MS) {
        await nextTask();
        taskStart = performance.now();
      }
      const next = pending.shift();
      if (next) await Promise.resolve(next.draw(Plotly)).catch(next.fail);
    }
  } catch (error) {
    // plotly itself could not load: every waiting plot says so
    for (const next of pending.splice(0)) next.fail(error as Error);
  } finally {
    pumping = false;
  }
}

/**
 * Runs `draw` once plotly is loaded, in a later main-thread task than its caller's, after the draws
 * queued before it (sharing a task with them while they are short, see SHARED_TASK_MS); `fail` gets
 * its error, or plotly's when plotly cannot load. Returns a cancel function: a draw cancelled before
 * its turn never runs.
 */
export function queueDraw(draw: Draw, fail: (error: Error) => void): () => void {
  const entry: QueuedDraw = { draw, fail };
  pending.push(entry);
  if (!pumping) void pump();
  return () => {
    const index = pending.indexOf(entry);
    if (index !== -1) pending.splice(index, 1);
  };
}
