/**
 * Method references inside the app's text ("docs/method.md §7", or "the method, §4.1 “Held-out
 * curves”" as methodReference words it) as links to that section of the app's method page.
 */
import { METHOD_SECTIONS, methodHref, type MethodSection } from './method-sections';

export type TextPart = string | { text: string; href: string };

const REFERENCE = /(?:docs\/method\.md|the method,) §(\d+(?:\.\d+)?)(?: “[^”]*”)?/g;

/**
 * `text` with each reference to a known section (and a “title” after it) as a link part, the rest
 * as strings.
 */
export function linkMethodSections(text: string): TextPart[] {
  const numbers = new Map<string, string>(
    Object.entries(METHOD_SECTIONS).map(([key, { number }]) => [number, key]),
  );
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(REFERENCE)) {
    const section = numbers.get(match[1]) as MethodSection | undefined;
    if (!section) continue;
    if (match.index > at) parts.push(text.slice(at, match.index));
    parts.push({ text: match[0], href: methodHref(section) });
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}
