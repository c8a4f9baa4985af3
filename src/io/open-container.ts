/**
 * The one entry point for a dropped or named file: recognise it by its first bytes (a misnamed
 * file still opens), fall back to the extension for text, refuse the rest with a clear message.
 */
import { openCsv } from './csv';
import { isMomentsContainer } from './moments-file';
import { extensionOf } from './extensions';
import { hasNpyMagic, openNpy } from './npy';
import { openNpz } from './npz';
import { looksLikeSafetensors, openSafetensors } from './safetensors';
import { settleContainer } from './settle-container';
import { hasLegacyTorchMagic, openTorch } from './torch';
import { InputError, type ArrayContainer, type ByteSource } from './types';
import { hasZipMagic, readZipEntries } from './zip';

export { SUPPORTED_EXTENSIONS, extensionOf } from './extensions';

export type ContainerFormat = ArrayContainer['format'];

function refuseUnknown(name: string): InputError {
  const ext = extensionOf(name);
  return new InputError(
    name,
    `unrecognised file${ext ? ` type ${ext}` : ''}: expected .npy, .npz, .safetensors, a torch.save file (.pt, .pth, .bin) or a table (.csv, .tsv, .txt)`,
  );
}

/**
 * Opens any supported file. Binary formats are recognised by content, whatever the name says;
 * a zip is an npz unless it holds a torch `data.pkl`; an npz with `richscope_moments` is reported
 * as format 'moments'. The arrays come settled (settle-container.ts): 0-d values set aside, a
 * state_dict refused, one-hot labels read as class indices.
 */
export async function openContainer(src: ByteSource): Promise<ArrayContainer> {
  return settleContainer(await openFormat(src));
}

/** The arrays exactly as the file's format holds them, before they are settled (parser tests). */
export async function openFormat(src: ByteSource): Promise<ArrayContainer> {
  const lead = await src.read(0, 16);
  const ext = extensionOf(src.name);
  if (hasNpyMagic(lead)) return openNpy(src);
  if (hasZipMagic(lead)) {
    const entries = await readZipEntries(src, ext === '.npy' ? '.npy file' : 'zip archive');
    if (entries.some((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'))) return openTorch(src);
    const container = await openNpz(src);
    return isMomentsContainer(container) ? { ...container, format: 'moments' } : container;
  }
  if (hasLegacyTorchMagic(lead)) return openTorch(src);
  if (looksLikeSafetensors(lead, src.size)) return openSafetensors(src);
  switch (ext) {
    case '.npy':
      return openNpy(src); // refuses with 'not a .npy file'
    case '.npz':
      return openNpz(src); // refuses with 'not a .npz (zip) file'
    case '.safetensors':
      return openSafetensors(src);
    case '.pt':
    case '.pth':
    case '.bin':
      return openTorch(src);
    case '.csv':
    case '.tsv':
    case '.txt':
      return openCsv(src);
    default:
      if (src.size === 0) throw new InputError(src.name, 'the file is empty');
      throw refuseUnknown(src.name);
  }
}
