/** Route #/: data in on the left, plots and the table on the right. */
import { CheckpointDetails } from './CheckpointDetails';
import { CheckpointTable } from './CheckpointTable';
import { DropZone } from './DropZone';
import { ExportPanel } from './ExportPanel';
import { Notices } from './Notices';
import { DlrLayersPlot } from './plots/DlrLayersPlot';
import { DlrLayerStepsPlot } from './plots/DlrLayerStepsPlot';
import { DlrStepsPlot } from './plots/DlrStepsPlot';
import { SpectraPanel } from './plots/SpectraPanel';
import { RunsPanel } from './RunsPanel';

export function Dashboard() {
  return (
    <div className="dashboard">
      <aside className="sidebar">
        <DropZone />
        <Notices />
        <RunsPanel />
        <ExportPanel />
      </aside>
      <div className="main-column">
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
