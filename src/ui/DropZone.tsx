/** Where data comes in: drop files or folders, or pick them; shows progress and a cancel button. */
import { useState, type DragEvent } from 'react';
import { RESULTS_BUNDLE_SUFFIX } from '../session/results-bundle';
import { richscope, useRichscope } from '../state/store';
import { AnalysisProgress } from './AnalysisProgress';
import { filesFromDataTransfer, filesFromList } from './read-drop';

/** React passes unknown lower-case attributes through; the folder picker attribute is not typed. */
const folderPicker = { webkitdirectory: '', directory: '' } as object;

export function DropZone() {
  const [over, setOver] = useState(false);
  const busy = useRichscope((s) => s.jobs.length > 0);
  const pool = useRichscope((s) => s.pool);

  const onDrop = async (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    void richscope.addFiles(await filesFromDataTransfer(event.dataTransfer));
  };

  return (
    // the pool's size on data attributes: the e2e tests check that a cancel frees the workers
    <section
      className="panel"
      aria-labelledby="drop-heading"
      data-testid="analysis-panel"
      data-workers-alive={pool.alive}
      data-workers-busy={pool.busy}
    >
      <h2 id="drop-heading">Add activations</h2>
      <div
        className={`drop-zone${over ? ' drop-zone-over' : ''}`}
        data-testid="drop-zone"
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(event) => void onDrop(event)}
      >
        <p>
          Drop files or folders here: <code>.npz</code>, <code>.npy</code>, <code>.safetensors</code>,{' '}
          <code>.pt</code>, <code>.csv</code>, moments files or a results bundle (
          <code>{RESULTS_BUNDLE_SUFFIX}</code>).
        </p>
        <div className="pickers">
          <label className="button">
            Choose files…
            <input
              type="file"
              multiple
              className="visually-hidden"
              data-testid="file-input"
              onChange={(e) => {
                void richscope.addFiles(filesFromList(e.target.files));
                e.target.value = '';
              }}
            />
          </label>
          <label className="button">
            Choose a folder…
            <input
              type="file"
              multiple
              {...folderPicker}
              className="visually-hidden"
              data-testid="folder-input"
              onChange={(e) => {
                void richscope.addFiles(filesFromList(e.target.files));
                e.target.value = '';
              }}
            />
          </label>
        </div>
        <p className="hint">
          Names like <code>run_step200_train.npz</code>, <code>epoch-3/</code> or <code>train/</code>,{' '}
          <code>test/</code> folders become runs, ordered checkpoints and train/test splits.
        </p>
      </div>
      {busy && (
        <div className="progress-block">
          {/* Above the list, so it stays put while entries come and go. */}
          <button type="button" onClick={() => richscope.cancelAnalysis()}>
            Cancel analysis
          </button>
          <AnalysisProgress />
        </div>
      )}
    </section>
  );
}
