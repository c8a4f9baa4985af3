/**
 * LOGDIR on disk, for `richscope serve`: one scan of the files it offers, and the mapping of a
 * request path to one of them. Nothing outside LOGDIR's real path is listed or opened: no '..',
 * no dot-named segment, no symbolic link that resolves outside it.
 */
import { open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isOfferedFolder, isOfferedName, type LogdirEntry } from '../../io/logdir-listing';

/** Past this many entries a scan stops (LOGDIR given as a home folder must not stall the server). */
export const MAX_SCANNED_ENTRIES = 100_000;

/** Folders deeper than this below LOGDIR are not walked. */
const MAX_DEPTH = 16;

/** Why a request path was refused: `forbidden` (403) or `missing` (404). */
export class LogdirPathError extends Error {
  constructor(
    readonly kind: 'forbidden' | 'missing',
    message: string,
  ) {
    super(message);
    this.name = 'LogdirPathError';
  }
}

/**
 * The segments of a percent-encoded, '/'-separated request path (after the route prefix), each
 * decoded. Refused (forbidden): empty, '.' or '..' segments, dot-named segments, segments that
 * decode to a separator or a NUL, and bad percent-encoding. So `a/%2e%2e/b`, `/etc/passwd` (an
 * empty first segment) and `a%2F..%2Fb` never reach the file system.
 */
export function decodeRequestPath(encoded: string): string[] {
  const segments = encoded.split('/');
  return segments.map((raw) => {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw new LogdirPathError('forbidden', 'bad percent-encoding');
    }
    if (segment === '' || segment.startsWith('.') || /[/\\\0]/.test(segment))
      throw new LogdirPathError('forbidden', 'not a plain path below the served folder');
    return segment;
  });
}

/** Whether `path` (a real path) is `root` (a real path) or lies below it. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel));
}

/** Whether a real path below `root` passes only through folders and files LOGDIR offers. */
function isOfferedRealPath(root: string, real: string): boolean {
  const segments = relative(root, real).split(sep);
  const file = segments.pop() ?? '';
  return isOfferedName(file) && segments.every(isOfferedFolder);
}

/**
 * Opens the LOGDIR file of a request (its decoded segments) for reading. The real path (links
 * resolved) must lie inside `root` (LOGDIR's real path) and be a regular file LOGDIR offers.
 */
export async function openLogdirFile(
  root: string,
  segments: readonly string[],
): Promise<{ handle: FileHandle; size: number; mtimeMs: number }> {
  if (!isOfferedName(segments.at(-1) ?? '') || !segments.slice(0, -1).every(isOfferedFolder))
    throw new LogdirPathError('forbidden', 'not an array or moments file');
  let real: string;
  try {
    real = await realpath(join(root, ...segments));
  } catch {
    throw new LogdirPathError('missing', 'no such file');
  }
  if (!isInside(root, real) || !isOfferedRealPath(root, real))
    throw new LogdirPathError('forbidden', 'the path leads outside the served folder');
  // the resolved path is opened, so a link swapped in after the check is not followed
  const handle = await open(real, 'r').catch(() => {
    throw new LogdirPathError('missing', 'no such file');
  });
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new LogdirPathError('missing', 'not a file');
  }
  return { handle, size: info.size, mtimeMs: info.mtimeMs };
}

/**
 * Every file LOGDIR offers (`isOfferedName`, below offered folders), sorted by path. A linked file
 * is listed when its target lies inside LOGDIR; linked folders are not walked (no cycles).
 * `root` is LOGDIR's real path. Stops after MAX_SCANNED_ENTRIES entries (`truncated`).
 */
export async function scanLogdir(root: string): Promise<{ files: LogdirEntry[]; truncated: boolean }> {
  const files: LogdirEntry[] = [];
  let visited = 0;
  const walk = async (folder: string, prefix: string, depth: number): Promise<boolean> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return true; // removed or unreadable while scanning: the next scan sees it again
    }
    for (const entry of entries) {
      if (++visited > MAX_SCANNED_ENTRIES) return false;
      const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      const full = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (isOfferedFolder(entry.name) && depth < MAX_DEPTH && !(await walk(full, path, depth + 1)))
          return false;
      } else if ((entry.isFile() || entry.isSymbolicLink()) && isOfferedName(entry.name)) {
        const found = await statOffered(root, full, entry.isSymbolicLink());
        if (found) files.push({ path, ...found });
      }
    }
    return true;
  };
  const complete = await walk(root, '', 0);
  const collator = new Intl.Collator('en', { numeric: true });
  files.sort((a, b) => collator.compare(a.path, b.path));
  return { files, truncated: !complete };
}

async function statOffered(
  root: string,
  full: string,
  link: boolean,
): Promise<{ size: number; mtimeMs: number } | null> {
  try {
    if (link) {
      const real = await realpath(full);
      if (!isInside(root, real) || !isOfferedRealPath(root, real)) return null;
    }
    const info = await stat(full);
    return info.isFile() ? { size: info.size, mtimeMs: info.mtimeMs } : null;
  } catch {
    return null; // removed between the listing and the stat
  }
}
