/**
 * Turns a drop or a file-input selection into files with the paths the user knows them by. Folders
 * are walked recursively (FileSystemEntry API), so a dropped folder of per-step subfolders with train and test folders groups
 * the same way as when picked with the folder picker.
 */
import type { DroppedFile } from '../state/file-intake';

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry: FileSystemEntry, prefix: string): Promise<DroppedFile[]> {
  const path = `${prefix}${entry.name}`;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    return [{ file, path }];
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries returns at most ~100 entries per call: read until it returns none.
  for (let batch = await readEntries(reader); batch.length > 0; batch = await readEntries(reader))
    children.push(...batch);
  const nested = await Promise.all(children.map((child) => walk(child, `${path}/`)));
  return nested.flat();
}

/** Files (with folder-relative paths) of a drop event's data transfer. */
export async function filesFromDataTransfer(transfer: DataTransfer): Promise<DroppedFile[]> {
  const entries = [...transfer.items]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.())
    .filter((entry): entry is FileSystemEntry => !!entry);
  if (entries.length === 0) return filesFromList(transfer.files);
  return (await Promise.all(entries.map((entry) => walk(entry, '')))).flat();
}

/** Files of a file input; folder pickers give each file its `webkitRelativePath`. */
export function filesFromList(list: FileList | null): DroppedFile[] {
  return [...(list ?? [])].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}
