/**
 * The shape of every change to the application state: a named `Action` whose `perform` is pure (the
 * state and its arguments in, the new state out), in the manner of Excalidraw's actions. The store
 * (store.ts) applies them; side effects (workers, storage, timers) live in the modules that dispatch
 * them (jobs.ts, persistence.ts, learn-trainer.ts), never in `perform`.
 */
import type { RichscopeState } from './app-state';

/**
 * One named change of the state. `perform` is pure and returns the new state, or `state` itself when
 * nothing changes (subscribers then hear nothing).
 */
export interface Action<Args = void> {
  name: string;
  perform(state: RichscopeState, args: Args): RichscopeState;
}

/** Names `perform` (the name shows in test output and when debugging a dispatch). */
export function action<Args = void>(
  name: string,
  perform: (state: RichscopeState, args: Args) => RichscopeState,
): Action<Args> {
  return { name, perform };
}

/** The arguments of a dispatch: none for an `Action<void>`. */
export type ActionArgs<Args> = [Args] extends [void] ? [] : [Args];
