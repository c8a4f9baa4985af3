import { describe, expect, it } from 'vitest';

import { linkMethodSections } from './method-link';
import { methodHref, methodReference } from './method-sections';

describe('method references in the app’s text', () => {
  it('become links, with or without their title, in either wording', () => {
    expect(linkMethodSections('no standard error (docs/method.md §7); see docs/method.md §9 and §4')).toEqual(
      [
        'no standard error (',
        { text: 'docs/method.md §7', href: methodHref('jackknife') },
        '); see docs/method.md §9 and §4',
      ],
    );
    const reference = methodReference('heldOut');
    expect(linkMethodSections(`(${reference})`)).toEqual([
      '(',
      { text: reference, href: methodHref('heldOut') },
      ')',
    ]);
    expect(linkMethodSections('plain text')).toEqual(['plain text']);
  });

  it('point at the section’s id on the method page', () => {
    expect(methodHref('jackknife')).toMatch(/method\.html#section-7$/);
    expect(methodHref('heldOut')).toMatch(/method\.html#section-4-1$/);
  });
});
