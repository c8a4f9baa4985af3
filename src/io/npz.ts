/**
 * NumPy .npz: a zip of .npy members (np.savez stored, np.savez_compressed deflated). Every member
 * is kept under its key, whatever it is called; role detection decides which ones matter.
 */
import { npyArrayReader, readNpyHeader } from './npy';
import { flattenNote } from './strided-reader';
import { InputError, type ArrayContainer, type ArrayReader, type ByteSource } from './types';
import { openZipEntry, readZipEntries } from './zip';

/** Opens every `*.npy` member (headers now, data on demand). */
export async function openNpz(src: ByteSource): Promise<ArrayContainer> {
  const entries = await readZipEntries(src, '.npz (zip) file');
  const arrays: ArrayReader[] = [];
  const notes: string[] = [];
  for (const entry of entries) {
    if (entry.name.endsWith('/')) continue;
    if (!entry.name.endsWith('.npy')) {
      notes.push(`ignored member ${entry.name} (not a .npy)`);
      continue;
    }
    const key = entry.name.slice(0, -'.npy'.length);
    const member = await openZipEntry(src, entry);
    const header = await readNpyHeader(member);
    const note = flattenNote(key, header.shape);
    if (note) notes.push(note);
    if (header.shape.length > 0 && header.shape[0] === 0) notes.push(`${key} has zero rows`);
    arrays.push(npyArrayReader(member, key, header));
  }
  if (arrays.length === 0) throw new InputError(src.name, 'the .npz holds no arrays');
  return { source: src.name, format: 'npz', arrays, notes };
}
