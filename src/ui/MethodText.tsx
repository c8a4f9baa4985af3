/** Text whose "docs/method.md §N" references are links to that section of the method page. */
import { linkMethodSections, methodHref } from './method-link';
import { methodReference, type MethodSection } from './method-sections';

export function MethodText({ text }: { text: string }) {
  return (
    <>
      {linkMethodSections(text).map((part, i) =>
        typeof part === 'string' ? (
          part
        ) : (
          <a key={i} href={part.href}>
            {part.text}
          </a>
        ),
      )}
    </>
  );
}

/** A section's reference (number and title) as a link to it. */
export function MethodLink({ section }: { section: MethodSection }) {
  return <a href={methodHref(section)}>{methodReference(section)}</a>;
}
