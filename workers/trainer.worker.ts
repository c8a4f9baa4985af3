/**
 * The trainer worker of the Learn view: the trainer API (trainer-api.ts) exposed with comlink. The UI
 * reaches it only through src/bridge/trainer-client.ts and imports its type with `import type`.
 * Stopping = terminating the worker (the client does it); the loop needs no cancellation hook.
 *
 * May import: trainer-api.ts and comlink. Never: React, zustand, plotly, or the DOM.
 */
import * as Comlink from 'comlink';
import { createTrainerApi } from './trainer-api';

export type { TrainerApi } from './trainer-api';

Comlink.expose(createTrainerApi());
