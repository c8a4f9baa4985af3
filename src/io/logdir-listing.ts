/**
 * What `richscope serve LOGDIR` tells the page about LOGDIR (README: "Follow a log directory"):
 * the files a training job has finished writing, by their LOGDIR-relative paths. Shared by the
 * server (src/cli/serve) and the page (src/state/logdir-follow.ts).
 */
import { SUPPORTED_EXTENSIONS, extensionOf } from './extensions';

/** One finished file of LOGDIR. */
export interface LogdirEntry {
  /** LOGDIR-relative, '/'-separated, never with '.', '..' or dot-named segments */
  path: string;
  /** bytes */
  size: number;
  /** last modification, ms since the epoch */
  mtimeMs: number;
}

/** The body of `GET /api/logdir` and of each `listing` event of `GET /api/logdir/events`. */
export interface LogdirListing {
  /** LOGDIR's own name (its last path segment), the top folder of a folder drop */
  name: string;
  /** sorted by path */
  files: LogdirEntry[];
}

/** The meta tag by which the served page knows it follows LOGDIR (its content: LOGDIR's name). */
export const LOGDIR_META = 'richscope-logdir';

/** The server-sent events of the listing: a `listing` event (LogdirListing JSON) now and on each change. */
export const LOGDIR_EVENTS_URL = '/api/logdir/events';

/** The page's URL of a LOGDIR file (each segment percent-encoded). */
export function logdirFileUrl(path: string): string {
  return `/logdir/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Names of files being written or left behind by writers (`x.npz.part`, `x.npz.tmp1234`,
 * `x.tmp.npz`, `.x.npz`, `~x.npz`, `x.npz~`, `#x.npz#`): a half-written file must never be read.
 */
const IN_PROGRESS = /(^[.~#])|([~#]$)|(\.(part|partial|tmp|temp|crdownload|download|swp|lock)\w*(\.|$))/i;

/** Whether a file name is one LOGDIR offers: an array or moments file, not hidden, not in progress. */
export function isOfferedName(name: string): boolean {
  return !IN_PROGRESS.test(name) && SUPPORTED_EXTENSIONS.includes(extensionOf(name));
}

/** Whether a folder name is walked: hidden folders (`.git`, `.ipynb_checkpoints`) are not. */
export function isOfferedFolder(name: string): boolean {
  return !name.startsWith('.');
}
