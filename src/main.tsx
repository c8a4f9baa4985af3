/** Entry point: mount the app, connect the URL hash, restore the stored session (or load examples). */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { syncWithUrlHash } from './state/hash-sync';
import { richscope } from './state/store';
import './ui/styles.css';

syncWithUrlHash();
void richscope.restoreSession();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
