/**
 * The session worker: reads the stored moments of a session being restored, and migrates a
 * version-1 session, off the main thread (deserialising a 4,048 x 4,048 moment matrix takes a
 * quarter of a second). Started for one call and terminated after it by src/bridge/session-worker.ts;
 * what it reads goes to the main thread transferred, not copied.
 *
 * May import: src/session/session-db.ts (and the pure session-format.ts), comlink. Never: React,
 * zustand, plotly, or the DOM.
 */
import * as Comlink from 'comlink';
import { migrateLegacySession, openSessionDatabase, readMoments } from '../src/session/session-db';
import { transferablesOfMoments, type StoredMoments } from '../src/session/session-format';

const api = {
  /** The moments stored under `keys` (keys with nothing stored are absent), buffers transferred. */
  async readMoments(keys: readonly string[]): Promise<Map<string, StoredMoments>> {
    const db = await openSessionDatabase();
    if (!db) return new Map();
    const found = await readMoments(db, keys);
    return Comlink.transfer(found, transferablesOfMoments(found.values()));
  },

  /** Moves a version-1 session to the per-checkpoint layout; false when there was none. */
  async migrateLegacySession(): Promise<boolean> {
    const db = await openSessionDatabase();
    return db ? migrateLegacySession(db) : false;
  },
};

export type SessionWorkerApi = typeof api;

Comlink.expose(api);
