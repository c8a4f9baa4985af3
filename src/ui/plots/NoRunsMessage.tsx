/** What an empty plot says instead of showing empty axes: how to get runs onto it. */
import { useRichscope } from '../../state/store';

export function NoRunsMessage() {
  const hasRuns = useRichscope((s) => s.runs.some((run) => run.checkpoints.length > 0));
  const busy = useRichscope((s) => s.jobs.length > 0);
  if (busy) return <span>Analysing… the curves appear as checkpoints finish.</span>;
  if (hasRuns) return <span>Every run is hidden: tick one in the Runs panel, or press “Show all”.</span>;
  return (
    <span>
      No runs yet: add activations or a results bundle under “Add activations”, or load the example runs from
      the Runs panel.
    </span>
  );
}
