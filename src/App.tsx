/** The app shell: header, privacy statement and the two hash routes (#/ dashboard, #/learn). */
import { Suspense, lazy } from 'react';
import { useRichscope } from './state/store';
import { formatHash } from './state/view-settings';
import { Dashboard, SkipToPlots } from './ui/Dashboard';
import { LogdirStatus } from './ui/LogdirStatus';

// The Learn view (owned by the trainer) loads only when visited.
const LearnView = lazy(() => import('./ui/learn/LearnView'));

export function App() {
  const route = useRichscope((s) => s.route);
  const view = useRichscope((s) => s.view);
  return (
    <div className="app" data-testid="app-shell">
      {route === 'dashboard' && <SkipToPlots />}
      <header className="app-header">
        <h1>
          Richscope <span className="tagline">Did your network train rich or lazy?</span>
        </h1>
        <nav aria-label="Views">
          {/* Links carry the view settings, so a visit to Learn and back keeps the dashboard as it was. */}
          <a href={formatHash('dashboard', view)} aria-current={route === 'dashboard' ? 'page' : undefined}>
            Dashboard
          </a>
          <a href={formatHash('learn', view)} aria-current={route === 'learn' ? 'page' : undefined}>
            Learn
          </a>
        </nav>
        <p className="privacy" data-testid="privacy-note">
          Your data never leaves this browser: files are read and analysed locally, nothing is uploaded.
        </p>
        <LogdirStatus />
      </header>
      <main>
        {route === 'learn' ? (
          <Suspense fallback={<p>Loading the Learn view…</p>}>
            <LearnView />
          </Suspense>
        ) : (
          <Dashboard />
        )}
      </main>
    </div>
  );
}
