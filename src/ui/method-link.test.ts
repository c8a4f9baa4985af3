import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { methodAnchor, renderMethodPage } from '../../scripts/method-page';
import { linkMethodSections, methodHref } from './method-link';
import { METHOD_SECTIONS, methodReference, type MethodSection } from './method-sections';

const page = renderMethodPage(readFileSync('docs/method.md', 'utf8'));

describe('links to docs/method.md sections', () => {
  it.each(Object.keys(METHOD_SECTIONS) as MethodSection[])(
    '%s: its anchor is a heading of the page',
    (section) => {
      expect(page).toContain(`id="${methodHref(section).split('#')[1]}"`);
    },
  );

  it('are relative to the app', () => {
    expect(methodHref('jackknife')).toBe('method.html#section-7');
  });

  it('are made of the references in a text, with or without their title', () => {
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
  });
});

describe('the method page', () => {
  it.each([
    [
      '7. Sampling error of D_LR: delete-one-group jackknife',
      '7-sampling-error-of-d_lr-delete-one-group-jackknife',
    ],
    ["5. Companion metrics (the paper's baselines)", '5-companion-metrics-the-papers-baselines'],
  ])('anchors an unnumbered use of %s as GitHub does', (heading, anchor) => {
    expect(methodAnchor(heading)).toBe(anchor);
  });

  it('renders headings, code, tables and lists, escaping the text', () => {
    const html = renderMethodPage(
      '# T\n\n## 3.1 Output rank\n\ntext with `a<b` and **bold**\n\n    S = X^T X\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n  more\n- two\n',
    );
    expect(html).toContain('<h1 id="t">T</h1>');
    expect(html).toContain('<h2 id="section-3.1">3.1 Output rank</h2>');
    expect(html).toContain('<p>text with <code>a&#60;b</code> and <strong>bold</strong></p>');
    expect(html).toContain('<pre>S = X^T X</pre>');
    expect(html).toContain(
      '<thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody>',
    );
    expect(html).toContain('<ul><li>one more</li><li>two</li></ul>');
  });
});
