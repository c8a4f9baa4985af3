/**
 * The sections of the method (docs/method.md in the repository) that text in the app points to,
 * named as well as numbered so a reader finds them in the document. A test holds each to a heading
 * of docs/method.md. The app ships that document as a page of its own (method.html, rendered at
 * build time by scripts/method-page.ts), so its links work offline and never point at a file the
 * user does not have.
 */

export const METHOD_SECTIONS = {
  inputs: { number: '1', title: 'Inputs of one checkpoint' },
  moments: { number: '2', title: 'Sufficient statistics' },
  dlr: { number: '3', title: 'The low-rank measure D_LR' },
  outputRank: { number: '3.1', title: 'Output rank' },
  spectra: { number: '4', title: 'Spectra and the Nyström eigenfunctions' },
  heldOut: { number: '4.1', title: 'Held-out curves' },
  companions: { number: '5', title: 'Companion metrics' },
  paperValues: { number: '6', title: 'Orientation values from the paper' },
  jackknife: { number: '7', title: 'Sampling error of D_LR' },
  layers: { number: '8', title: 'Every layer, not only the last' },
} as const;

export type MethodSection = keyof typeof METHOD_SECTIONS;

/** `the method, §3.1 “Output rank”`: where in the method a piece of text comes from. */
export function methodReference(section: MethodSection): string {
  const { number, title } = METHOD_SECTIONS[section];
  return `the method, §${number} “${title}”`;
}

/** The address of a section on the app's method page (its headings' ids: `section-3-1`). */
export function methodHref(section: MethodSection): string {
  return `${import.meta.env.BASE_URL}method.html#section-${METHOD_SECTIONS[section].number.replace(/\./g, '-')}`;
}
