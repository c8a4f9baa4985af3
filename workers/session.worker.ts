/**
 * The session worker: the session API (session-api.ts) exposed with comlink. Started for one call and
 * terminated after it by src/bridge/session-worker.ts; what it reads goes to the main thread
 * transferred, not copied.
 *
 * May import: session-api.ts and comlink. Never: React, zustand, plotly, or the DOM.
 */
import * as Comlink from 'comlink';
import { sessionApi } from './session-api';

export type { SessionWorkerApi } from './session-api';

Comlink.expose(sessionApi);
