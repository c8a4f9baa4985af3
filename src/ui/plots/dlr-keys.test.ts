import { describe, expect, it } from 'vitest';
import { moveSelection } from './dlr-keys';

const run = (id: string, steps: number[]) => ({ id, checkpoints: steps.map((step) => ({ step })) });
const runs = [run('a', [0, 100, 200]), run('empty', []), run('b', [0, 150, 300])];
const at = (runId: string | null, step: number | null) => ({ runId, step });

describe('moveSelection', () => {
  it('moves along the selected run with ←/→ and stays at its ends', () => {
    expect(moveSelection(runs, at('a', 100), 'ArrowRight')).toEqual({ runId: 'a', step: 200 });
    expect(moveSelection(runs, at('a', 100), 'ArrowLeft')).toEqual({ runId: 'a', step: 0 });
    expect(moveSelection(runs, at('a', 200), 'ArrowRight')).toEqual({ runId: 'a', step: 200 });
    expect(moveSelection(runs, at('a', 0), 'ArrowLeft')).toEqual({ runId: 'a', step: 0 });
  });

  it('jumps to the first and last checkpoint with Home/End', () => {
    expect(moveSelection(runs, at('b', 150), 'Home')).toEqual({ runId: 'b', step: 0 });
    expect(moveSelection(runs, at('b', 150), 'End')).toEqual({ runId: 'b', step: 300 });
  });

  it('moves between runs with ↑/↓ at the nearest step (earlier on a tie), skipping runs without points', () => {
    expect(moveSelection(runs, at('a', 100), 'ArrowDown')).toEqual({ runId: 'b', step: 150 });
    expect(moveSelection(runs, at('a', 200), 'ArrowDown')).toEqual({ runId: 'b', step: 150 });
    expect(moveSelection(runs, at('b', 300), 'ArrowUp')).toEqual({ runId: 'a', step: 200 });
    expect(moveSelection(runs, at('a', 0), 'ArrowUp')).toEqual({ runId: 'a', step: 0 });
    expect(moveSelection(runs, at('b', 0), 'ArrowDown')).toEqual({ runId: 'b', step: 0 });
  });

  it('starts at the first run when nothing (or a point not drawn) is selected', () => {
    expect(moveSelection(runs, at(null, null), 'ArrowRight')).toEqual({ runId: 'a', step: 0 });
    expect(moveSelection(runs, at('hidden', 5), 'ArrowDown')).toEqual({ runId: 'a', step: 0 });
    expect(moveSelection(runs, at('a', 50), 'End')).toEqual({ runId: 'a', step: 200 });
    expect(moveSelection(runs, at(null, null), 'ArrowLeft')).toEqual({ runId: 'a', step: 200 });
  });

  it('leaves other keys and empty plots alone', () => {
    expect(moveSelection(runs, at('a', 0), 'Enter')).toBeUndefined();
    expect(moveSelection([run('empty', [])], at(null, null), 'ArrowRight')).toBeUndefined();
  });
});
