/** The OS light/dark preference (prefers-color-scheme), live: plots restyle when it changes. */
import { useSyncExternalStore } from 'react';

// One live query list for the page: React reads it at every render of every plot, and each
// matchMedia call parses and evaluates the query anew.
let darkQuery: MediaQueryList | null = null;
const dark = () => (darkQuery ??= window.matchMedia('(prefers-color-scheme: dark)'));

function subscribe(onChange: () => void): () => void {
  const media = dark();
  media.addEventListener('change', onChange);
  return () => media.removeEventListener('change', onChange);
}

export type ColourScheme = 'light' | 'dark';

export function useColourScheme(): ColourScheme {
  return useSyncExternalStore(
    subscribe,
    () => (dark().matches ? 'dark' : 'light'),
    () => 'light',
  );
}
