/**
 * A pool of workers that knows nothing of what they compute: workers start lazily (on the first call
 * that finds none idle, up to `size`), calls queue in order while every worker is busy, and every call
 * takes an AbortSignal. Aborting a queued call drops it; aborting a running call terminates its worker
 * (the only way to stop a long computation) and a fresh one starts for the next call. Either way the
 * call rejects with an AbortError.
 */

/** A started worker: its API (every method returns a promise) and a way to stop it. */
export interface PoolWorker<Api> {
  api: Api;
  terminate(): void;
}

/** How many workers the pool holds and how many of them are running a call. */
export interface PoolState {
  alive: number;
  busy: number;
}

export interface WorkerPoolOptions<Api> {
  /** most workers alive at once (at least 1) */
  size: number;
  start: () => PoolWorker<Api>;
}

/** The rejection of a cancelled call. */
export function abortError(): DOMException {
  return new DOMException('The call was cancelled.', 'AbortError');
}

interface Slot<Api> {
  worker: PoolWorker<Api>;
  busy: boolean;
}

interface QueuedCall<Api> {
  work: (api: Api) => Promise<unknown>;
  signal?: AbortSignal;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

export class WorkerPool<Api> {
  readonly size: number;
  private readonly start: () => PoolWorker<Api>;
  private readonly slots: Slot<Api>[] = [];
  private readonly queue: QueuedCall<Api>[] = [];
  private readonly listeners = new Set<(state: PoolState) => void>();
  private last: PoolState = { alive: 0, busy: 0 };

  constructor(options: WorkerPoolOptions<Api>) {
    this.size = Math.max(1, Math.floor(options.size));
    this.start = options.start;
  }

  /** Workers alive and busy now. */
  get state(): PoolState {
    return { alive: this.slots.length, busy: this.slots.filter((s) => s.busy).length };
  }

  /** Calls `listener` whenever a worker starts, stops, or takes or finishes a call; returns the unsubscribe. */
  subscribe(listener: (state: PoolState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `work` with the API of the next free worker. */
  call<T>(work: (api: Api) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<T>((resolve, reject) => {
      const queued: QueuedCall<Api> = { work, signal, resolve: resolve as (v: unknown) => void, reject };
      this.queue.push(queued);
      signal?.addEventListener(
        'abort',
        () => {
          const index = this.queue.indexOf(queued);
          if (index !== -1) {
            this.queue.splice(index, 1);
            reject(abortError());
          }
        },
        { once: true },
      );
      this.pump();
    });
  }

  /**
   * Starts every worker the pool may hold, idle, so that loading their code overlaps whatever the
   * page does before its first call.
   */
  warm(): void {
    while (this.slots.length < this.size) this.slots.push({ worker: this.start(), busy: false });
    this.notify();
  }

  /** Stops every worker; later calls start new ones. */
  terminateAll(): void {
    for (const slot of this.slots.splice(0)) slot.worker.terminate();
    this.notify();
  }

  private notify(): void {
    const state = this.state;
    if (state.alive === this.last.alive && state.busy === this.last.busy) return;
    this.last = state;
    for (const listener of this.listeners) listener(state);
  }

  private pump(): void {
    while (this.queue.length > 0) {
      // aborted while an abort listener of another call was pumping: never start it
      if (this.queue[0].signal?.aborted) {
        this.queue.shift()!.reject(abortError());
        continue;
      }
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) {
        slot = { worker: this.start(), busy: false };
        this.slots.push(slot);
      }
      if (!slot) break;
      this.run(slot, this.queue.shift()!);
    }
    this.notify();
  }

  private run(slot: Slot<Api>, call: QueuedCall<Api>): void {
    slot.busy = true;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      call.signal?.removeEventListener('abort', onAbort);
      outcome();
      this.pump();
    };
    const onAbort = () =>
      settle(() => {
        // a worker in the middle of a computation cannot be interrupted: stop it, start afresh later
        slot.worker.terminate();
        this.slots.splice(this.slots.indexOf(slot), 1);
        call.reject(abortError());
      });
    call.signal?.addEventListener('abort', onAbort, { once: true });
    call.work(slot.worker.api).then(
      (value) =>
        settle(() => {
          slot.busy = false;
          call.resolve(value);
        }),
      (error) =>
        settle(() => {
          slot.busy = false;
          call.reject(error);
        }),
    );
  }
}
