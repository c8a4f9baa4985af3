/**
 * An in-memory {@link SessionDatabase} for unit tests only (Node has no IndexedDB). It keeps the
 * promises IndexedDB makes: values are structured-cloned when written and again when read, a write
 * lands whole or not at all, and it commits after the call returns.
 */
import type { SessionDatabase } from './session-db';

export interface MemoryDatabase extends SessionDatabase {
  /** what is stored now (for assertions) */
  readonly entries: Map<string, unknown>;
  /** makes every later write fail (as a full disk would) until set back to null */
  failWrites: Error | null;
  /** keys whose values were read so far, in order (to check what the main thread deserialised) */
  readonly reads: string[];
}

export function createMemoryDatabase(initial: Iterable<[string, unknown]> = []): MemoryDatabase {
  const entries = new Map<string, unknown>();
  for (const [key, value] of initial) entries.set(key, structuredClone(value));
  const db: MemoryDatabase = {
    entries,
    failWrites: null,
    reads: [],
    async keys() {
      return [...entries.keys()].sort();
    },
    async get(keys) {
      db.reads.push(...keys);
      return keys.map((key) => (entries.has(key) ? structuredClone(entries.get(key)) : undefined));
    },
    write(puts, deletes = []) {
      // cloned now, as IndexedDB clones during put(): later changes by the caller do not leak in
      const cloned = puts.map(([key, value]) => [key, structuredClone(value)] as const);
      const failure = db.failWrites;
      return new Promise<void>((resolve, reject) =>
        setTimeout(() => {
          if (failure) return reject(failure);
          for (const [key, value] of cloned) entries.set(key, value);
          for (const key of deletes) entries.delete(key);
          resolve();
        }, 0),
      );
    },
  };
  return db;
}
