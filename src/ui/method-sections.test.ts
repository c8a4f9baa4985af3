import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMethodPage } from '../../scripts/method-page';
import { METHOD_SECTIONS, methodHref, methodReference, type MethodSection } from './method-sections';

const method = readFileSync(path.resolve(import.meta.dirname, '../../docs/method.md'), 'utf8');
const headings = method.split('\n').filter((line) => /^#{2,3} /.test(line));

describe('method sections', () => {
  it.each(Object.keys(METHOD_SECTIONS) as MethodSection[])(
    '%s names a heading of docs/method.md',
    (section) => {
      const { number, title } = METHOD_SECTIONS[section];
      expect(
        headings.some((h) =>
          h.replace(/^#+ /, '').startsWith(`${number}${number.includes('.') ? '' : '.'} ${title}`),
        ),
      ).toBe(true);
    },
  );

  it('spells a reference with number and title, naming no file', () =>
    expect(methodReference('outputRank')).toBe('the method, §3.1 “Output rank”'));

  it.each(Object.keys(METHOD_SECTIONS) as MethodSection[])(
    '%s links a heading of the method page',
    (section) => {
      const id = methodHref(section).split('#')[1];
      expect(renderMethodPage(method)).toContain(`id="${id}"`);
    },
  );
});
