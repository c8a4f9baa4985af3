/**
 * Keeps the URL hash and the store's route and view settings in step, both ways. Writing uses
 * history.replaceState so dragging a slider does not flood the back button; following a link
 * (#/learn) arrives as a hashchange.
 */
import { richscope, subscribeRichscope } from './store';
import { formatHash, parseHash } from './view-settings';

/**
 * While the view keeps changing (a slider dragged, the steps played), the URL is written at most once
 * in this many ms, the last view always: Safari throws after 100 history updates in 30 s, and
 * Chromium ignores them after 200 in 10 s. A single change is written at once.
 */
export const URL_WRITE_INTERVAL_MS = 400;

export function syncWithUrlHash(): () => void {
  const apply = () => richscope.followHash(parseHash(window.location.hash));
  apply();
  window.addEventListener('hashchange', apply);
  let wanted: string | null = null;
  let lastWrite = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const write = () => {
    timer = null;
    const hash = wanted;
    wanted = null;
    if (hash === null || hash === window.location.hash || (hash === '#/' && window.location.hash === ''))
      return;
    history.replaceState(null, '', hash);
    lastWrite = performance.now();
  };
  const unsubscribe = subscribeRichscope((state, previous) => {
    if (state.view === previous.view && state.route === previous.route) return;
    wanted = formatHash(state.route, state.view);
    if (timer !== null) return;
    const wait = lastWrite + URL_WRITE_INTERVAL_MS - performance.now();
    if (wait <= 0) write();
    else timer = setTimeout(write, wait);
  });
  return () => {
    window.removeEventListener('hashchange', apply);
    unsubscribe();
    if (timer !== null) clearTimeout(timer);
  };
}
