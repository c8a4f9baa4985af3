import { richscope } from '../../state/store';

/** A plot's `onHoverTrace`: the hovered trace's run (its `meta`) comes forward in every plot; null: none. */
export function hoverTraceRun(meta: unknown): void {
  richscope.hoverRun(typeof meta === 'string' ? meta : null);
}
