/** Text whose method references ("docs/method.md §N") are links to that section of the method page. */
import { linkMethodSections } from './method-link';

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
