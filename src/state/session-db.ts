/**
 * The session in IndexedDB: runs (moments, metrics, names, colours) survive a reload. Float64Arrays
 * are stored as they are (structured clone), so a restored session is bit-identical. View settings
 * are not stored here: they live in the URL hash.
 */
import type { RunRecord } from './model';

const DATABASE = 'richscope';
const STORE = 'session';
const RUNS_KEY = 'runs';

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore<T>(
  mode: IDBTransactionMode,
  makeRequest: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = makeRequest(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}

export interface SessionStorage {
  /** the stored runs, or null when nothing was ever stored */
  load(): Promise<RunRecord[] | null>;
  save(runs: readonly RunRecord[]): Promise<void>;
}

export const indexedDbSession: SessionStorage = {
  async load() {
    if (typeof indexedDB === 'undefined') return null;
    const runs = await withStore<RunRecord[] | undefined>('readonly', (store) => store.get(RUNS_KEY));
    return runs ?? null;
  },
  async save(runs) {
    if (typeof indexedDB === 'undefined') return;
    await withStore('readwrite', (store) => store.put(runs, RUNS_KEY));
  },
};
