import { describe, expect, it } from 'vitest';

import type { LogdirEntry } from '../io/logdir-listing';
import type { DroppedFile } from './file-intake';
import {
  LogdirFollower,
  servedLogdir,
  type ListingEvents,
  type LogdirFollowDependencies,
} from './logdir-follow';
import { stampOf } from './logdir-plan';

/** A fake EventSource the test pushes listings through. */
class FakeEvents implements ListingEvents {
  readonly listeners = new Map<string, ((event: Event) => void)[]>();
  url = '';
  closed = false;
  addEventListener(type: string, listener: (event: Event) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.closed = true;
  }
  emit(type: string, data?: unknown): void {
    const event =
      data === undefined ? new Event(type) : new MessageEvent(type, { data: JSON.stringify(data) });
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}

/** LOGDIR as a map of path -> bytes, served by a fake fetch; `served` may differ (a file rewritten since). */
function fakeLogdir(initial: Record<string, string>) {
  const files = new Map(Object.entries(initial));
  const served = new Map<string, string>();
  const opened: FakeEvents[] = [];
  const added: DroppedFile[][] = [];
  const fetched: string[] = [];
  const storage = new Map<string, string>();
  const held = new Set<string>();
  const deps: LogdirFollowDependencies = {
    addFiles: async (dropped) => void added.push([...dropped]),
    hasCheckpoint: (run, step) => held.has(`${run}@${step}`),
    fetchFile: async (url) => {
      fetched.push(url);
      const path = decodeURIComponent(url.replace(/^\/logdir\//, ''));
      const bytes = served.get(path) ?? files.get(path);
      return bytes === undefined ? new Response('missing', { status: 404 }) : new Response(bytes);
    },
    openEvents: (url) => {
      const events = new FakeEvents();
      events.url = url;
      opened.push(events);
      return events;
    },
    storage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) },
  };
  const entries = (): LogdirEntry[] =>
    [...files].map(([path, bytes]) => ({ path, size: bytes.length, mtimeMs: 1000 + bytes.length }));
  /** the event stream of the follower made last */
  const events = () => opened.at(-1)!;
  const list = () => events().emit('listing', { name: 'runs', files: entries() });
  return { files, served, events, added, fetched, storage, held, deps, entries, list };
}

/** What addFiles received, one line per call, sorted (checkpoints load side by side). */
const addedPaths = (added: DroppedFile[][]) =>
  added.map((call) => call.map((f) => f.path).join(' + ')).sort();

describe('LogdirFollower', () => {
  it('loads every checkpoint of the first listing, then only what is new, with the files as served', async () => {
    const logdir = fakeLogdir({
      'a/step_1_train.npz': 'a1',
      'a/step_1_test.npz': 'a1t',
      'b/step_1_train.npz': 'b1',
    });
    const follower = new LogdirFollower('runs', logdir.deps);
    expect(logdir.events().url).toBe('/api/logdir/events');
    expect(follower.getStatus()).toEqual({ name: 'runs', connection: 'connecting', files: 0, loading: 0 });
    logdir.list();
    await follower.settled();
    expect(addedPaths(logdir.added)).toEqual([
      'runs/a/step_1_train.npz + runs/a/step_1_test.npz',
      'runs/b/step_1_train.npz',
    ]);
    const pair = logdir.added.find((call) => call.length === 2)!;
    expect([pair[1].path, await pair[1].file.text()]).toEqual(['runs/a/step_1_test.npz', 'a1t']);
    expect(follower.getStatus()).toEqual({ name: 'runs', connection: 'live', files: 3, loading: 0 });

    logdir.files.set('a/step_2_train.npz', 'a2');
    logdir.files.set('c/step_1_train.npz', 'c1');
    logdir.list();
    await follower.settled();
    expect(addedPaths(logdir.added.slice(2))).toEqual(['runs/a/step_2_train.npz', 'runs/c/step_1_train.npz']);
  });

  it('reloads a checkpoint whose file was rewritten, and one whose test split arrived later', async () => {
    const logdir = fakeLogdir({ 'a/step_1_train.npz': 'a1' });
    const follower = new LogdirFollower('runs', logdir.deps);
    logdir.list();
    await follower.settled();
    logdir.files.set('a/step_1_train.npz', 'a1 again');
    logdir.files.set('a/step_1_test.npz', 'a1t');
    logdir.list();
    await follower.settled();
    expect(logdir.added.map((call) => call.map((f) => f.path).join(' + '))).toEqual([
      'runs/a/step_1_train.npz',
      'runs/a/step_1_train.npz + runs/a/step_1_test.npz',
    ]);
    expect(await logdir.added[1][0].file.text()).toBe('a1 again');
  });

  it('never hands over a file whose size differs from the listing; loads it with the next listing', async () => {
    const logdir = fakeLogdir({ 'a/step_1_train.npz': 'complete' });
    logdir.served.set('a/step_1_train.npz', 'compl');
    const follower = new LogdirFollower('runs', logdir.deps);
    logdir.list();
    await follower.settled();
    expect(logdir.added).toEqual([]);
    logdir.served.clear();
    logdir.list();
    await follower.settled();
    expect(addedPaths(logdir.added)).toEqual(['runs/a/step_1_train.npz']);
    expect(await logdir.added[0][0].file.text()).toBe('complete');
  });

  it('skips, after a reload, the checkpoints the restored session holds in the version it holds', async () => {
    const logdir = fakeLogdir({
      'a/step_1_train.npz': 'a1',
      'a/step_2_train.npz': 'a2',
      'b/step_1_train.npz': 'b1',
    });
    const first = new LogdirFollower('runs', logdir.deps);
    logdir.list();
    await first.settled();
    first.stop();
    expect(logdir.events().closed).toBe(true);
    const stored = new Map(JSON.parse(logdir.storage.get('richscope.logdir.runs')!) as [string, string][]);
    expect(stored.get('a/step_2_train.npz')).toBe(stampOf({ size: 2, mtimeMs: 1002 }));

    // the store restored a@1 and a@2, not b@1 (never saved); a@2 was rewritten since
    logdir.held.add('a@1').add('a@2');
    logdir.files.set('a/step_2_train.npz', 'a2 again');
    logdir.added.length = 0;
    const second = new LogdirFollower('runs', logdir.deps);
    logdir.list();
    await second.settled();
    expect(addedPaths(logdir.added)).toEqual(['runs/a/step_2_train.npz', 'runs/b/step_1_train.npz']);
  });

  it('says when the connection is lost, and live again with the next listing', async () => {
    const logdir = fakeLogdir({});
    const follower = new LogdirFollower('runs', logdir.deps);
    const seen: string[] = [];
    follower.subscribe(() => seen.push(follower.getStatus().connection));
    logdir.list();
    logdir.events().emit('error');
    logdir.list();
    await follower.settled();
    expect(seen).toEqual(['live', 'lost', 'live']);
  });
});

describe('servedLogdir', () => {
  it.each([
    ['<meta name="richscope-logdir" content="runs" />', 'runs'],
    ['<meta name="viewport" content="width=device-width" />', null],
  ])('%s -> %s', (head, name) => {
    const content = /name="richscope-logdir" content="([^"]*)"/.exec(head)?.[1];
    const doc = {
      querySelector: (selector: string) =>
        selector === 'meta[name="richscope-logdir"]' && content !== undefined
          ? ({ getAttribute: () => content } as unknown as Element)
          : null,
    };
    expect(servedLogdir(doc)).toBe(name);
  });
});
