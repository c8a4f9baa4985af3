/**
 * Follows LOGDIR for `richscope serve`: rescans it when `fs.watch` reports a change (or, where
 * watching fails, every `pollMs`), and publishes the files whose size and modification time have
 * stayed the same for `settleMs`. A file still being written is never listed, so never read
 * half-way; one rewritten in place leaves the listing until it has settled again.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { LogdirEntry } from '../../io/logdir-listing';
import { scanLogdir } from './logdir-files';

export interface LogdirWatcherOptions {
  /** ms a file's size and modification time must stay unchanged before it is listed */
  settleMs: number;
  /** ms between scans when fs.watch is unavailable, and between safety scans when it works */
  pollMs: number;
  /** scan on a timer only (file systems whose changes fs.watch does not report, e.g. NFS) */
  poll: boolean;
}

export const defaultLogdirWatcherOptions: LogdirWatcherOptions = {
  settleMs: 1000,
  pollMs: 2000,
  poll: false,
};

/** Safety scans while fs.watch works come this many poll intervals apart (recursive watching can miss a new folder). */
const WATCHED_POLL_FACTOR = 5;

/** fs.watch reports a write as many events: one scan shortly after the first. */
const DEBOUNCE_MS = 100;

/** Timers may fire a millisecond early: a rescan meant to find a file settled waits this much longer. */
const TIMER_SLACK_MS = 20;

interface Observation {
  size: number;
  mtimeMs: number;
  /** when this size and time were first seen (ms, monotonic) */
  since: number;
}

export type WatchMode = 'watch' | 'poll';

export class LogdirWatcher {
  private readonly observations = new Map<string, Observation>();
  private listing: LogdirEntry[] = [];
  private readonly listeners = new Set<(files: LogdirEntry[]) => void>();
  private watcher: FSWatcher | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private scanning: Promise<void> | null = null;
  private rescan = false;
  private closed = false;
  /** how LOGDIR is followed: 'watch' (fs.watch, with slow safety scans) or 'poll' */
  mode: WatchMode = 'poll';
  /** the last scan stopped early (MAX_SCANNED_ENTRIES) */
  truncated = false;

  constructor(
    private readonly root: string,
    private readonly options: LogdirWatcherOptions = defaultLogdirWatcherOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts following; resolves once the files present now have settled and are listed. */
  async start(): Promise<void> {
    if (!this.options.poll) {
      try {
        this.watcher = watch(this.root, { recursive: true }, () => this.scheduleScan(DEBOUNCE_MS));
        this.watcher.on('error', () => this.fallBackToPolling());
        this.mode = 'watch';
      } catch {
        this.watcher = null;
      }
    }
    this.startPolling();
    await this.scan();
    if (this.observations.size > this.listing.length) {
      await new Promise((resolve) => setTimeout(resolve, this.options.settleMs + TIMER_SLACK_MS));
      await this.scan();
    }
  }

  /** The settled files, sorted by path. */
  files(): LogdirEntry[] {
    return this.listing;
  }

  /** Calls `listener` with the settled files whenever they change; returns the unsubscribe. */
  subscribe(listener: (files: LogdirEntry[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    if (this.timer) clearTimeout(this.timer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.listeners.clear();
  }

  private startPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    const every = this.mode === 'watch' ? this.options.pollMs * WATCHED_POLL_FACTOR : this.options.pollMs;
    this.pollTimer = setInterval(() => void this.scan(), every);
    this.pollTimer.unref?.();
  }

  private fallBackToPolling(): void {
    this.watcher?.close();
    this.watcher = null;
    this.mode = 'poll';
    if (!this.closed) this.startPolling();
  }

  private scheduleScan(delay: number): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.scan();
    }, delay);
    this.timer.unref?.();
  }

  /** One scan at a time; a request during a scan runs one more after it. */
  private scan(): Promise<void> {
    if (this.scanning) {
      this.rescan = true;
      return this.scanning;
    }
    this.scanning = this.scanOnce().finally(() => {
      this.scanning = null;
      if (this.rescan && !this.closed) {
        this.rescan = false;
        void this.scan();
      }
    });
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    if (this.closed) return;
    const { files, truncated } = await scanLogdir(this.root);
    this.truncated = truncated;
    const time = this.now();
    const seen = new Set<string>();
    const settled: LogdirEntry[] = [];
    let unsettled = false;
    for (const file of files) {
      seen.add(file.path);
      const before = this.observations.get(file.path);
      const same = before && before.size === file.size && before.mtimeMs === file.mtimeMs;
      const since = same ? before.since : time;
      if (!same) this.observations.set(file.path, { size: file.size, mtimeMs: file.mtimeMs, since });
      if (same && time - since >= this.options.settleMs) settled.push(file);
      else unsettled = true;
    }
    for (const path of [...this.observations.keys()]) if (!seen.has(path)) this.observations.delete(path);
    // a file that has not settled is looked at again once it may have
    if (unsettled) this.scheduleScan(this.options.settleMs + TIMER_SLACK_MS);
    if (!sameListing(settled, this.listing)) {
      this.listing = settled;
      for (const listener of this.listeners) listener(settled);
    }
  }
}

function sameListing(a: readonly LogdirEntry[], b: readonly LogdirEntry[]): boolean {
  return (
    a.length === b.length &&
    a.every((f, i) => f.path === b[i].path && f.size === b[i].size && f.mtimeMs === b[i].mtimeMs)
  );
}
