/**
 * The page side of `richscope serve LOGDIR`: follows the server's listing of LOGDIR (server-sent
 * events; the browser reconnects by itself) and hands each new or changed checkpoint to the store's
 * `addFiles`, fetched as Blobs, exactly like a dropped folder: the same grouping, the same workers,
 * progress and cancel. Which files to load is decided in logdir-plan.ts.
 */
import { LOGDIR_EVENTS_URL, LOGDIR_META, logdirFileUrl, type LogdirListing } from '../io/logdir-listing';
import type { DroppedFile } from './file-intake';
import { keepStoredStamps, planLogdirLoad, stampOf, type LoadUnit } from './logdir-plan';
import { getRichscopeState, richscope } from './store';

export type LogdirConnection = 'connecting' | 'live' | 'lost';

export interface LogdirStatus {
  /** LOGDIR's name */
  name: string;
  connection: LogdirConnection;
  /** files in the last listing */
  files: number;
  /** checkpoints being fetched or analysed */
  loading: number;
}

/** The part of EventSource used here. */
export interface ListingEvents {
  addEventListener(type: 'listing' | 'open' | 'error', listener: (event: Event) => void): void;
  close(): void;
}

export interface LogdirFollowDependencies {
  addFiles(files: readonly DroppedFile[]): Promise<void>;
  /** whether the store holds this checkpoint (restored from the stored session) */
  hasCheckpoint(run: string, step: number): boolean;
  fetchFile(url: string): Promise<Response>;
  openEvents(url: string): ListingEvents;
  /** where the loaded files' stamps are kept between visits (null: not kept) */
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
}

/**
 * Checkpoints fetched and analysed at once: enough to keep the analysis busy, few enough that
 * fetched files do not pile up in memory ahead of it.
 */
const UNITS_AT_ONCE = 2;

/** A file that changed or went away between the listing and its fetch: loaded again with the next listing. */
class StaleListing extends Error {}

/** LOGDIR's name when `richscope serve` serves this page, else null (a static host: drag-and-drop only). */
export function servedLogdir(doc: Pick<Document, 'querySelector'> = document): string | null {
  return doc.querySelector(`meta[name="${LOGDIR_META}"]`)?.getAttribute('content') ?? null;
}

export class LogdirFollower {
  private status: LogdirStatus;
  private readonly listeners = new Set<() => void>();
  private readonly events: ListingEvents;
  /** path -> stamp of the version loaded or being loaded */
  private loaded = new Map<string, string>();
  private latest: LogdirListing | null = null;
  private first = true;
  private draining: Promise<void> | null = null;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly name: string,
    private readonly deps: LogdirFollowDependencies,
  ) {
    this.status = { name, connection: 'connecting', files: 0, loading: 0 };
    this.events = deps.openEvents(LOGDIR_EVENTS_URL);
    this.events.addEventListener('listing', (event) => {
      this.latest = JSON.parse((event as MessageEvent<string>).data) as LogdirListing;
      this.update({ connection: 'live', files: this.latest.files.length });
      this.draining ??= this.drain().finally(() => (this.draining = null));
    });
    this.events.addEventListener('error', () => this.update({ connection: 'lost' }));
  }

  getStatus = (): LogdirStatus => this.status;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  stop(): void {
    this.events.close();
    this.listeners.clear();
  }

  /** Resolves once every listing received so far has been handed to the store and analysed. */
  async settled(): Promise<void> {
    while (this.draining || this.running.size > 0) await Promise.all([this.draining, ...this.running]);
  }

  private update(change: Partial<LogdirStatus>): void {
    this.status = { ...this.status, ...change };
    for (const listener of this.listeners) listener();
  }

  private get storageKey(): string {
    return `richscope.logdir.${this.name}`;
  }

  private storedStamps(): Map<string, string> {
    try {
      return new Map(JSON.parse(this.deps.storage?.getItem(this.storageKey) ?? '[]') as [string, string][]);
    } catch {
      return new Map();
    }
  }

  private async drain(): Promise<void> {
    while (this.latest) {
      const listing = this.latest;
      this.latest = null;
      if (this.first) {
        this.loaded = keepStoredStamps(listing, this.storedStamps(), this.deps.hasCheckpoint);
        this.first = false;
      }
      for (const unit of planLogdirLoad(listing, this.loaded)) {
        for (const f of unit.files) this.loaded.set(f.path, stampOf(f));
        while (this.running.size >= UNITS_AT_ONCE) await Promise.race(this.running);
        const load = this.load(unit, listing.name).finally(() => this.running.delete(load));
        this.running.add(load);
      }
    }
  }

  private async load(unit: LoadUnit, name: string): Promise<void> {
    this.update({ loading: this.status.loading + 1 });
    try {
      const files: DroppedFile[] = [];
      for (const entry of unit.files) {
        const response = await this.deps.fetchFile(logdirFileUrl(entry.path));
        if (!response.ok) throw new StaleListing();
        const file = await response.blob();
        if (file.size !== entry.size) throw new StaleListing();
        files.push({ file, path: `${name}/${entry.path}` });
      }
      await this.deps.addFiles(files);
      this.deps.storage?.setItem(this.storageKey, JSON.stringify([...this.loaded]));
    } catch {
      // a network error or a stale listing: forget the claim, so the next listing loads it again
      for (const f of unit.files) if (this.loaded.get(f.path) === stampOf(f)) this.loaded.delete(f.path);
    } finally {
      this.update({ loading: this.status.loading - 1 });
    }
  }
}

let active: LogdirFollower | null = null;

/** Starts following LOGDIR with the app's store (once the stored session is restored). */
export function followLogdir(name: string, deps?: LogdirFollowDependencies): LogdirFollower {
  active?.stop();
  active = new LogdirFollower(name, deps ?? appDependencies());
  for (const listener of statusListeners) active.subscribe(listener);
  for (const listener of statusListeners) listener();
  return active;
}

function appDependencies(): LogdirFollowDependencies {
  return {
    addFiles: (files) => richscope.addFiles(files),
    hasCheckpoint: (run, step) =>
      getRichscopeState().runs.some((r) => r.name === run && r.checkpoints.some((c) => c.step === step)),
    fetchFile: (url) => fetch(url, { cache: 'no-store' }),
    openEvents: (url) => new EventSource(url),
    storage: typeof localStorage === 'undefined' ? null : localStorage,
  };
}

const statusListeners = new Set<() => void>();

/** The status of the LOGDIR being followed; null on a page `richscope serve` does not serve. */
export function getLogdirStatus(): LogdirStatus | null {
  return active?.getStatus() ?? null;
}

/** Subscribes to `getLogdirStatus` changes (useSyncExternalStore). */
export function subscribeLogdirStatus(listener: () => void): () => void {
  statusListeners.add(listener);
  const unsubscribe = active?.subscribe(listener);
  return () => {
    statusListeners.delete(listener);
    unsubscribe?.();
  };
}
