/**
 * Keeps the URL hash and the store's route and view settings in step, both ways. Writing uses
 * history.replaceState so dragging a slider does not flood the back button; following a link
 * (#/learn) arrives as a hashchange.
 */
import { richscope, subscribeRichscope } from './store';
import { formatHash, parseHash } from './view-settings';

export function syncWithUrlHash(): () => void {
  const apply = () => richscope.followHash(parseHash(window.location.hash));
  apply();
  window.addEventListener('hashchange', apply);
  const unsubscribe = subscribeRichscope((state, previous) => {
    if (state.view === previous.view && state.route === previous.route) return;
    const hash = formatHash(state.route, state.view);
    if (hash !== window.location.hash && !(hash === '#/' && window.location.hash === '')) {
      history.replaceState(null, '', hash);
    }
  });
  return () => {
    window.removeEventListener('hashchange', apply);
    unsubscribe();
  };
}
