/**
 * The one way the main thread starts a worker: a module Worker wrapped with comlink, or, where Web
 * Workers are missing (or refuse to start), the same API on the main thread, loaded on demand so its
 * code stays out of the main bundle. Correct but blocking: a running inline call cannot be interrupted
 * (terminate only aborts the signal its API was given, which a long loop may check).
 */
import * as Comlink from 'comlink';

export interface WorkerSpec<Api> {
  /** shown in the error of a worker that fails to load: "the <label> worker could not start" */
  label: string;
  /**
   * Starts the worker. Written at the call site, as `new Worker(new URL('…', import.meta.url), …)`,
   * so that the bundler finds the worker's module.
   */
  create: () => Worker;
  /** The same API on this thread; `signal` aborts when the handle is terminated. */
  inline: (signal: AbortSignal) => Promise<Api>;
}

/** A started worker (or its stand-in on the main thread). */
export interface StartedWorker<Api> {
  /** every method returns a promise */
  api: Api;
  terminate(): void;
  where: 'worker' | 'main thread';
}

/** Every method of the API, each call forwarded to `target` once it is loaded (never a thenable itself). */
function forwarding<Api extends object>(target: () => Promise<Api>): Api {
  return new Proxy({} as Api, {
    get: (_, method) =>
      method === 'then'
        ? undefined
        : async (...args: unknown[]) => {
            const api = (await target()) as Record<PropertyKey, (...a: unknown[]) => unknown>;
            return api[method](...args);
          },
  });
}

function startInline<Api extends object>(spec: WorkerSpec<Api>): StartedWorker<Api> {
  const stopped = new AbortController();
  let loading: Promise<Api> | null = null;
  const api = forwarding(() => (loading ??= spec.inline(stopped.signal)));
  return { api, terminate: () => stopped.abort(), where: 'main thread' };
}

/** Starts the worker of `spec`, or runs its API on the main thread where no worker can start. */
export function startWorker<Api extends object>(spec: WorkerSpec<Api>): StartedWorker<Api> {
  if (typeof Worker === 'undefined') return startInline(spec);
  let worker: Worker;
  try {
    worker = spec.create();
  } catch {
    return startInline(spec);
  }
  // a worker that fails to load would leave its calls waiting forever: they fail instead
  const failed = new Promise<never>((_, reject) =>
    worker.addEventListener(
      'error',
      (event) => reject(new Error(event.message || `the ${spec.label} worker could not start`)),
      { once: true },
    ),
  );
  failed.catch(() => undefined);
  // every method returns a promise already, so the remote behaves as the API itself
  const remote = Comlink.wrap<Api>(worker) as unknown as Record<PropertyKey, (...a: unknown[]) => unknown>;
  const api = new Proxy({} as Api, {
    get: (_, method) =>
      method === 'then' ? undefined : (...args: unknown[]) => Promise.race([remote[method](...args), failed]),
  });
  return { api, terminate: () => worker.terminate(), where: 'worker' };
}
