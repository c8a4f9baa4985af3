/**
 * Links from the app's text to the sections of the method (src/ui/method-sections.ts): docs/method.md
 * is served beside the app as method.html (scripts/method-page.ts), each numbered heading with the id
 * `section-<number>`.
 */
import { METHOD_SECTIONS, type MethodSection } from './method-sections';

/** The section's address within the app. */
export function methodHref(section: MethodSection): string {
  return `method.html#section-${METHOD_SECTIONS[section].number}`;
}

export type TextPart = string | { text: string; href: string };

const REFERENCE = /docs\/method\.md §(\d+(?:\.\d+)?)(?: “[^”]*”)?/g;

/**
 * `text` with each "docs/method.md §N" (and a “title” after it) of a known section as a link part,
 * the rest as strings.
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
