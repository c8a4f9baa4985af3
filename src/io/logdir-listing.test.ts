import { describe, expect, it } from 'vitest';

import { isOfferedFolder, isOfferedName, logdirFileUrl } from './logdir-listing';

describe('isOfferedName', () => {
  it.each([
    ['step_5_train.npz', true],
    ['moments_step5.npz', true],
    ['features.npy', true],
    ['model.safetensors', true],
    ['tmp_step5.npz', true],
    ['epoch-3.pt', true],
    ['step_5_train.npz.part', false],
    ['step_5_train.npz.partial', false],
    ['moments_step5.npz.tmp4242', false],
    ['step_5.tmp.npz', false],
    ['step_5.part.npz', false],
    ['.step_5_train.npz', false],
    ['.DS_Store', false],
    ['~step_5.npz', false],
    ['step_5.npz~', false],
    ['#step_5.npz#', false],
    ['step_5.npz.crdownload', false],
    ['events.out.tfevents.1700000000.host', false],
    ['notes.md', false],
    ['run.richscope.json', false],
  ])('%s: %s', (name, offered) => {
    expect(isOfferedName(name)).toBe(offered);
  });
});

describe('isOfferedFolder', () => {
  it.each([
    ['runA', true],
    ['step_200', true],
    ['.git', false],
    ['.ipynb_checkpoints', false],
  ])('%s: %s', (name, offered) => {
    expect(isOfferedFolder(name)).toBe(offered);
  });
});

describe('logdirFileUrl', () => {
  it.each([
    ['a/step_5.npz', '/logdir/a/step_5.npz'],
    ['run 1/x#2.npz', '/logdir/run%201/x%232.npz'],
    ['é/%.npy', '/logdir/%C3%A9/%25.npy'],
  ])('%s -> %s', (path, url) => {
    expect(logdirFileUrl(path)).toBe(url);
  });
});
