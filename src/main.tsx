/**
 * Entry point: mount the app, connect the URL hash, restore the stored session (or load examples);
 * on a page `richscope serve LOGDIR` serves, follow LOGDIR instead of loading the examples.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { syncWithUrlHash } from './state/hash-sync';
import { followLogdir, servedLogdir } from './state/logdir-follow';
import { richscope } from './state/store';
import './ui/styles.css';

syncWithUrlHash();
const logdir = servedLogdir();
if (logdir === null) void richscope.restoreSession();
else void richscope.restoreSession({ examples: false }).then(() => followLogdir(logdir));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
