import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { METHOD_SECTIONS, methodReference, type MethodSection } from './method-sections';

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

  it('spells a reference with number and title', () =>
    expect(methodReference('outputRank')).toBe('docs/method.md §3.1 “Output rank”'));
});
