/** A link to a section of the app's method page, saying which section (method-sections.ts). */
import { methodHref, methodReference, type MethodSection } from './method-sections';

export function MethodLink({ section }: { section: MethodSection }) {
  return <a href={methodHref(section)}>{methodReference(section)}</a>;
}
