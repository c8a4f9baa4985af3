/** File extensions Richscope reads; kept apart so main-thread code can use them without the parsers. */

/** Extensions Richscope accepts, for file pickers and the folder grouping. */
export const SUPPORTED_EXTENSIONS = [
  '.npy',
  '.npz',
  '.safetensors',
  '.pt',
  '.pth',
  '.bin',
  '.csv',
  '.tsv',
  '.txt',
];

/**
 * The binary formats, whose arrays may be read by row range (`ArrayReader.readRowRange`); text
 * tables are parsed whole when opened, so planning a split would read them twice.
 */
export const BINARY_EXTENSIONS = ['.npy', '.npz', '.safetensors', '.pt', '.pth', '.bin'];

/** '.npy' for 'runs/a/Features.NPY'; '' when there is none. */
export function extensionOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}
