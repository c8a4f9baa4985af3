/**
 * Keeps the URL hash and the store's route and view settings in step, both ways. Writing uses
 * history.replaceState so dragging a slider does not flood the back button; following a link
 * (#/learn) arrives as a hashchange.
 */
import { richscope, subscribeRichscope } from './store';
import { formatHash, parseHash } from './view-settings';

/**
 * URL writes allowed at once, and per second after them: a view changed by hand is written at once,
 * while a long stream of changes (a slider dragged, the steps played) is written at this rate, the
 * last view always. Safari throws after 100 history updates in 30 s (these allow at most 90) and
 * Chromium ignores them after 200 in 10 s (at most 50).
 */
export const URL_WRITE_BURST = 30;
export const URL_WRITES_PER_SECOND = 2;

export function syncWithUrlHash(): () => void {
  const apply = () => richscope.followHash(parseHash(window.location.hash));
  apply();
  window.addEventListener('hashchange', apply);
  let wanted: string | null = null;
  let tokens = URL_WRITE_BURST;
  let counted = performance.now();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const refill = () => {
    const now = performance.now();
    tokens = Math.min(URL_WRITE_BURST, tokens + ((now - counted) * URL_WRITES_PER_SECOND) / 1000);
    counted = now;
  };
  const write = () => {
    timer = null;
    const hash = wanted;
    wanted = null;
    if (hash === null || hash === window.location.hash || (hash === '#/' && window.location.hash === ''))
      return;
    refill();
    tokens -= 1;
    history.replaceState(null, '', hash);
  };
  const unsubscribe = subscribeRichscope((state, previous) => {
    if (state.view === previous.view && state.route === previous.route) return;
    wanted = formatHash(state.route, state.view);
    if (timer !== null) return;
    refill();
    if (tokens >= 1) write();
    else timer = setTimeout(write, ((1 - tokens) * 1000) / URL_WRITES_PER_SECOND);
  });
  return () => {
    window.removeEventListener('hashchange', apply);
    unsubscribe();
    if (timer !== null) clearTimeout(timer);
  };
}
