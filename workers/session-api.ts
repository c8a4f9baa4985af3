/**
 * The session API: reads the stored moments of a session being restored, and migrates a version-1
 * session. It runs in `session.worker.ts`, off the main thread, because deserialising a moment matrix
 * of a few thousand columns blocks for a noticeable time; this module holds it apart from the
 * `expose` call so the bridge can run it on the main thread where Workers are missing.
 *
 * May import: src/session/session-db.ts (and the pure session-format.ts), comlink. Never: React,
 * zustand, plotly, or the DOM.
 */
import * as Comlink from 'comlink';
import { migrateLegacySession, openSessionDatabase, readMoments } from '../src/session/session-db';
import { transferablesOfMoments, type StoredMoments } from '../src/session/session-format';

export const sessionApi = {
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

export type SessionWorkerApi = typeof sessionApi;
