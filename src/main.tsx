/**
 * Entry point: build the store from its dependencies (the analysis workers, the stored session),
 * connect the URL hash, restore the stored session (or load examples); on a page
 * `richscope serve LOGDIR` serves, follow LOGDIR instead of loading the examples. The analysis
 * workers start at once, so their code loads while plotly's is evaluated. Then mount the app.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { AnalysisBridge } from './bridge/analysis-bridge';
import { sessionWorkerReader } from './bridge/session-worker';
import { createSessionStorage, openSessionDatabase } from './session/session-db';
import { syncWithUrlHash } from './state/hash-sync';
import { followLogdir, servedLogdir } from './state/logdir-follow';
import { createRichscopeStore, installRichscope, richscope } from './state/store';
import './ui/styles.css';
import './ui/runs.css';
import './ui/plots/plot.css';

const bridge = new AnalysisBridge();
bridge.warm();
installRichscope(
  createRichscopeStore({
    bridge,
    session: createSessionStorage({ database: openSessionDatabase, reader: sessionWorkerReader }),
    fetchFile: (url) => fetch(url),
  }),
);
syncWithUrlHash();
const logdir = servedLogdir();
if (logdir === null) void richscope.restoreSession();
else void richscope.restoreSession({ examples: false }).then(() => followLogdir(logdir));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
