import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { headingId, renderMarkdown, renderMethodPage } from './method-page';

describe('the method page', () => {
  it('gives numbered headings the ids the app links to', () => {
    expect(headingId('3.1 Output rank: the one place')).toBe('section-3-1');
    expect(headingId('6. Orientation values from the paper')).toBe('section-6');
    expect(headingId('The method: D_LR')).toBe('the-method-d-lr');
  });

  it('renders headings, paragraphs, lists, code, tables and escapes everything else', () => {
    const html = renderMarkdown(
      [
        '## 3. The low-rank measure',
        'Feature kernel <K> is `Phi Phi^T`,',
        'and **label-free**.',
        '',
        '    D_LR = 1 - CKA(K, P)',
        '',
        '- first item',
        '  continued',
        '      D_LR(r) = formula',
        '',
        '| a | b |',
        '|---|---|',
        '| 1 | 2 |',
      ].join('\n'),
    );
    expect(html).toContain('<h2 id="section-3">3. The low-rank measure</h2>');
    expect(html).toContain(
      '<p>Feature kernel &lt;K&gt; is <code>Phi Phi^T</code>, and <strong>label-free</strong>.</p>',
    );
    expect(html).toContain('<pre><code>D_LR = 1 - CKA(K, P)</code></pre>');
    expect(html).toContain('<li>first item continued<span class="line">D_LR(r) = formula</span></li>');
    expect(html).toContain(
      '<thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody>',
    );
  });

  it('has every section the app links to in docs/method.md', () => {
    const page = renderMethodPage(
      readFileSync(path.resolve(import.meta.dirname, '../docs/method.md'), 'utf8'),
    );
    for (const id of ['section-3', 'section-3-1', 'section-4', 'section-5', 'section-6'])
      expect(page).toContain(`id="${id}"`);
    expect(page).toContain('0.0087');
  });
});
