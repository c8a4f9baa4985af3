/**
 * NumPy .npz: a zip of .npy members (np.savez stored, np.savez_compressed deflated). Every numeric
 * member is kept under its key, whatever it is called; role detection decides which ones matter.
 * Members of strings, objects or records are skipped with a note (object arrays are never unpickled).
 */
import { NonNumericArrayError, npyArrayReader, readNpyHeader } from './npy';
import { flattenNote } from './strided-reader';
import { InputError, type ArrayContainer, type ArrayReader, type ByteSource } from './types';
import { openZipEntry, readZipEntries } from './zip';

/** Opens every `*.npy` member (headers now, data on demand). */
export async function openNpz(src: ByteSource): Promise<ArrayContainer> {
  const entries = await readZipEntries(src, '.npz (zip) file');
  const arrays: ArrayReader[] = [];
  const notes: string[] = [];
  // strings, objects and records beside the arrays (class names, metadata): named in a note
  const ignored: string[] = [];
  for (const entry of entries) {
    if (entry.name.endsWith('/')) continue;
    if (!entry.name.endsWith('.npy')) {
      notes.push(`ignored member ${entry.name} (not a .npy)`);
      continue;
    }
    const key = entry.name.slice(0, -'.npy'.length);
    const member = await openZipEntry(src, entry);
    let header;
    try {
      header = await readNpyHeader(member);
    } catch (error) {
      if (!(error instanceof NonNumericArrayError)) throw error;
      ignored.push(`${key} (${error.descr})`);
      continue;
    }
    const note = flattenNote(key, header.shape);
    if (note) notes.push(note);
    if (header.shape.length > 0 && header.shape[0] === 0) notes.push(`${key} has zero rows`);
    arrays.push(npyArrayReader(member, key, header));
  }
  const shown = ignored.slice(0, 8).join(', ') + (ignored.length > 8 ? ', ...' : '');
  if (arrays.length === 0)
    throw new InputError(src.name, `the .npz holds no numeric arrays${shown ? ` (only ${shown})` : ''}`);
  if (ignored.length > 0) notes.push(`ignored arrays that are not numeric: ${shown}`);
  return { source: src.name, format: 'npz', arrays, notes };
}
