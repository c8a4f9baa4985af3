/**
 * The stored session as the page's IndexedDB holds it (src/session/session-format.ts: database
 * `richscope`, object store `session`, the index of the runs under `session`, each checkpoint's
 * metadata under `checkpoint/<moments key>` and its moments under `moments/...`). Specs wait for the write they need instead of sleeping through the save's debounce,
 * and check which thread touched the moments.
 */
import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/** A stored run: its name and its checkpoints' steps and moments keys. */
export interface StoredRunSummary {
  name: string;
  checkpoints: { step: number; moments: string }[];
}

/** Every key in the store and the stored session's runs; null when nothing was ever stored. */
export function readStore(page: Page): Promise<{ keys: string[]; runs: StoredRunSummary[] | null } | null> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase | null>((resolve, reject) => {
      const request = indexedDB.open('richscope');
      // not created yet: leave its creation to the app
      request.onupgradeneeded = () => request.transaction!.abort();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => (request.error?.name === 'AbortError' ? resolve(null) : reject(request.error));
    });
    if (!db) return null;
    try {
      if (!db.objectStoreNames.contains('session')) return null;
      const transaction = db.transaction('session', 'readonly');
      const store = transaction.objectStore('session');
      // the keys, then (in the same transaction) the index and the checkpoints' metadata: never a moment matrix
      const keys = store.getAllKeys();
      const entries = new Map<string, unknown>();
      keys.onsuccess = () => {
        for (const key of keys.result.map(String)) {
          if (key !== 'session' && !key.startsWith('checkpoint/')) continue;
          const value = store.get(key);
          value.onsuccess = () => entries.set(key, value.result);
        }
      };
      await new Promise<void>((resolve, reject) => {
        transaction.oncomplete = () => resolve();
        transaction.onabort = () => reject(transaction.error);
      });
      // an index (version 3: checkpoints as moments keys) or, before it, checkpoints inline
      const stored = entries.get('session') as
        { runs: { name: string; checkpoints: (string | { step: number; moments: string })[] }[] } | undefined;
      const checkpoint = (c: string | { step: number; moments: string }) =>
        typeof c === 'string'
          ? {
              step: (entries.get(`checkpoint/${c}`) as { step: number } | undefined)?.step ?? NaN,
              moments: c,
            }
          : { step: c.step, moments: c.moments };
      return {
        keys: keys.result.map(String),
        runs:
          stored?.runs.map((run) => ({ name: run.name, checkpoints: run.checkpoints.map(checkpoint) })) ??
          null,
      };
    } finally {
      db.close();
    }
  });
}

/**
 * Waits until the stored session's runs satisfy `holds` (the debounced save has landed), then
 * returns them.
 */
export async function waitForStoredRuns(
  page: Page,
  holds: (runs: StoredRunSummary[]) => boolean,
  timeout = 30_000,
): Promise<StoredRunSummary[]> {
  let last: StoredRunSummary[] = [];
  await expect
    .poll(
      async () => {
        last = (await readStore(page))?.runs ?? [];
        return holds(last);
      },
      { timeout, message: 'the stored session never reached the expected state' },
    )
    .toBe(true);
  return last;
}

/** How many checkpoints the stored runs hold. */
export const storedCheckpoints = (runs: StoredRunSummary[]): number =>
  runs.reduce((sum, run) => sum + run.checkpoints.length, 0);

/**
 * Records, from the page's first script on, the keys the main thread puts into or reads from
 * IndexedDB (`*` for a read of every value); read them with `mainThreadStoreKeys`. Workers have
 * their own IndexedDB objects and are not recorded.
 */
export async function recordMainThreadStoreKeys(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const log = { put: [] as string[], read: [] as string[] };
    (window as unknown as { __storeKeys: typeof log }).__storeKeys = log;
    const proto = IDBObjectStore.prototype;
    const wrap = <K extends 'put' | 'add' | 'get' | 'getAll'>(name: K, record: (args: unknown[]) => void) => {
      const original = proto[name] as (...args: unknown[]) => IDBRequest;
      (proto as unknown as Record<K, unknown>)[name] = function (this: IDBObjectStore, ...args: unknown[]) {
        record(args);
        return original.apply(this, args);
      };
    };
    wrap('put', (args) => log.put.push(String(args[1])));
    wrap('add', (args) => log.put.push(String(args[1])));
    wrap('get', (args) => log.read.push(String(args[0])));
    wrap('getAll', (args) => log.read.push(args[0] === undefined ? '*' : String(args[0])));
  });
}

export function mainThreadStoreKeys(page: Page): Promise<{ put: string[]; read: string[] }> {
  return page.evaluate(
    () => (window as unknown as { __storeKeys: { put: string[]; read: string[] } }).__storeKeys,
  );
}
