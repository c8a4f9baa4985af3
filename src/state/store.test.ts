import { describe, expect, it } from 'vitest';
import { fakeMetrics, fakeMoments } from '../session/fake-records';
import { getRichscopeState, installRichscope, richscope } from './store';
import { makeStore } from './testing';

describe('the installed store', () => {
  it('is none until main.tsx installs one: importing the store starts nothing', () => {
    expect(() => getRichscopeState()).toThrow('no Richscope store installed');
    expect(() => richscope.showStep(3)).toThrow('no Richscope store installed');
  });

  it('richscope.* and getRichscopeState act on the installed store', () => {
    const app = makeStore();
    installRichscope(app);
    richscope.showStep(3);
    expect(getRichscopeState().view.step).toBe(3);
    expect(app.store.getState().view.step).toBe(3);
  });
});

describe('importRun (API for other producers)', () => {
  it('adds a computed run and replaces it by name, keeping colour and visibility', () => {
    const { store, actions } = makeStore();
    const checkpoint = (step: number) => ({
      step,
      fit: fakeMoments(),
      eval: null,
      metrics: fakeMetrics({ dlr: step / 10 }),
    });
    const id = actions.importRun('trainer', [checkpoint(2), checkpoint(1)]);
    actions.setRunVisible({ runId: id, visible: false });
    const colour = store.getState().runs[0].colour;
    expect(actions.importRun('trainer', [checkpoint(1), checkpoint(2), checkpoint(3)])).toBe(id);
    const [run] = store.getState().runs;
    expect(run.checkpoints.map((c) => c.step)).toEqual([1, 2, 3]);
    expect(run.colour).toBe(colour);
    expect(run.visible).toBe(false);
  });
});
