/** Route #/: data in on the left, plots and the table on the right; a skip link straight to the plots. */
import { CheckpointDetails } from './CheckpointDetails';
import { CheckpointTable } from './CheckpointTable';
import { DropZone } from './DropZone';
import { ExportPanel } from './ExportPanel';
import { HowToRead } from './HowToRead';
import { Notices } from './Notices';
import { DlrLayersPlot } from './plots/DlrLayersPlot';
import { DlrLayerStepsPlot } from './plots/DlrLayerStepsPlot';
import { DlrStepsPlot } from './plots/DlrStepsPlot';
import { SpectraPanel } from './plots/SpectraPanel';
import { RunsPanel } from './RunsPanel';

/**
 * The page's first Tab stop: moves the focus past the header and the runs to the plots (a button,
 * not a #anchor link: the URL hash holds the route and view).
 */
export function SkipToPlots() {
  return (
    <button
      type="button"
      className="skip-link"
      onClick={() => {
        const plots = document.getElementById('plots');
        plots?.focus();
        plots?.scrollIntoView({ block: 'start' });
      }}
    >
      Skip to the plots
    </button>
  );
}

export function Dashboard() {
  return (
    <div className="dashboard">
      <aside className="sidebar" aria-label="Data and runs">
        <DropZone />
        <Notices />
        <RunsPanel />
        <HowToRead />
        <ExportPanel />
      </aside>
      <div className="main-column" id="plots" tabIndex={-1} role="region" aria-label="Plots and checkpoints">
        <SpectraPanel />
        <div className="two-columns">
          <DlrStepsPlot />
          <CheckpointDetails />
        </div>
        <div className="two-columns">
          <DlrLayersPlot />
          <DlrLayerStepsPlot />
        </div>
        <CheckpointTable />
      </div>
    </div>
  );
}
