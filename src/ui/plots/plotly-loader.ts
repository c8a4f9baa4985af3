/**
 * Plotly, loaded on first use, and when each plot is drawn. Evaluating plotly's bundle is one
 * main-thread task that no code of ours can split; every draw runs in a main-thread task of its own
 * (`drawInOwnTask`), so the first draws never join that evaluation, nor each other, in one long task.
 */
import type PlotlyDefault from 'plotly.js-dist-min';

export type PlotlyModule = typeof PlotlyDefault;

let plotlyPromise: Promise<PlotlyModule> | null = null;

export function loadPlotly(): Promise<PlotlyModule> {
  // The cartesian partial bundle: every trace drawn here is a scatter or a heatmap, and it is a third
  // of the full bundle's bytes (maps, 3-D and WebGL traces left out).
  plotlyPromise ??= import('plotly.js-cartesian-dist-min').then((m) => m.default);
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

async function pump(): Promise<void> {
  pumping = true;
  try {
    const Plotly = await loadPlotly();
    while (pending.length > 0) {
      await nextTask();
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
 * Runs `draw` once plotly is loaded, in a main-thread task of its own, after the draws queued before
 * it; `fail` gets its error, or plotly's when plotly cannot load. Returns a cancel function: a draw
 * cancelled before its turn never runs.
 */
export function drawInOwnTask(draw: Draw, fail: (error: Error) => void): () => void {
  const entry: QueuedDraw = { draw, fail };
  pending.push(entry);
  if (!pumping) void pump();
  return () => {
    const index = pending.indexOf(entry);
    if (index !== -1) pending.splice(index, 1);
  };
}
