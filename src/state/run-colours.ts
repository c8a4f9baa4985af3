/**
 * Run colours: each new run gets one the others do not use. Okabe & Ito's colourblind-safe palette
 * ("Color Universal Design", 2008), ordered so the first runs get the most distinguishable hues; its
 * black is replaced by grey so it shows on the dark theme too. (Steps of one run use a sequential
 * scale instead: src/ui/step-colours.ts.)
 */

export const RUN_PALETTE: readonly string[] = [
  '#0072B2', // blue
  '#D55E00', // vermillion
  '#009E73', // bluish green
  '#CC79A7', // reddish purple
  '#E69F00', // orange
  '#56B4E9', // sky blue
  '#F0E442', // yellow
  '#999999', // grey
];

/** The first palette colour no run uses yet; once all are taken, cycle by run count. */
export function nextRunColour(usedColours: readonly string[]): string {
  const used = new Set(usedColours.map((c) => c.toLowerCase()));
  const free = RUN_PALETTE.find((c) => !used.has(c.toLowerCase()));
  return free ?? RUN_PALETTE[usedColours.length % RUN_PALETTE.length];
}
