/** The Runs panel's filter: a case-insensitive regular expression over run names, as in W&B. */

export interface RunFilter {
  matches: (name: string) => boolean;
  /** why the text is not a regular expression (it is then matched as plain text); null when it is */
  problem: string | null;
}

/** The filter for `text`: empty matches every run; text that is no regular expression matches as plain text. */
export function runFilter(text: string): RunFilter {
  const trimmed = text.trim();
  if (trimmed === '') return { matches: () => true, problem: null };
  try {
    const pattern = new RegExp(trimmed, 'i');
    return { matches: (name) => pattern.test(name), problem: null };
  } catch (error) {
    const lower = trimmed.toLowerCase();
    return {
      matches: (name) => name.toLowerCase().includes(lower),
      problem: `not a regular expression (${(error as Error).message}); matching it as plain text`,
    };
  }
}
