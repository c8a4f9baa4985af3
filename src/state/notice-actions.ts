/** Notices: problems not tied to one run (a broken results bundle, examples that failed to load). */
import { action } from './action';

export const addNotices = action<readonly string[]>('addNotices', (state, notices) =>
  notices.length === 0 ? state : { ...state, notices: [...state.notices, ...notices] },
);

/** Adds a notice unless it is already shown (a problem said once, however often it happens). */
export const addNoticeOnce = action<string>('addNoticeOnce', (state, notice) =>
  state.notices.includes(notice) ? state : { ...state, notices: [...state.notices, notice] },
);

/** Files a drop skipped because they hold no data (file-intake.ts `isSideFile`): listed quietly. */
export const addSkippedFiles = action<readonly string[]>('addSkippedFiles', (state, paths) =>
  paths.length === 0 ? state : { ...state, skippedFiles: [...state.skippedFiles, ...paths] },
);

export const dismissSkippedFiles = action('dismissSkippedFiles', (state) =>
  state.skippedFiles.length === 0 ? state : { ...state, skippedFiles: [] },
);

export const dismissNotice = action<number>('dismissNotice', (state, index) => ({
  ...state,
  notices: state.notices.filter((_, i) => i !== index),
}));

/** The notice for results whose moments the browser refused to store (a full disk, ...). */
export function storeProblemNotice(problem: string): string {
  return `Some results are kept for this visit only: the browser did not store them (${problem}).`;
}
