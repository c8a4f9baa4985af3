/**
 * Long file names in narrow places (the sidebar's errors and notices): line breaks are allowed
 * after path separators and the punctuation of names, so a name wraps at its parts instead of one
 * letter per line.
 */
import { Fragment, type ReactNode } from 'react';

/** `text` with a <wbr> after every '/', '\', '_', '-' and '.'. */
export function breakableName(text: string): ReactNode {
  const parts = text.split(/(?<=[/\\_.-])/);
  return parts.map((part, i) => (
    <Fragment key={i}>
      {part}
      {i < parts.length - 1 && <wbr />}
    </Fragment>
  ));
}
