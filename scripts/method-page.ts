/**
 * docs/method.md as a page of the app (`method.html`), so the app's text can link its sections: the
 * user has the page with the app, offline like everything else. A small renderer for the markdown
 * that file uses (headings, paragraphs, lists, tables, indented and fenced code, inline code and
 * emphasis); a numbered heading's id is `section-<number>` (src/ui/method-link.ts), any other its
 * GitHub anchor.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Plugin } from 'vite';

const METHOD_FILE = path.resolve(import.meta.dirname, '../docs/method.md');
export const METHOD_PAGE = 'method.html';

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
export function methodAnchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[\s(])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>');
}

function table(rows: string[]): string {
  const cells = (row: string) =>
    row
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((cell) => inline(cell.trim()));
  const [head, , ...body] = rows;
  const line = (tag: string) => (row: string) =>
    `<tr>${cells(row)
      .map((c) => `<${tag}>${c}</${tag}>`)
      .join('')}</tr>`;
  return `<table><thead>${line('th')(head)}</thead><tbody>${body.map(line('td')).join('')}</tbody></table>`;
}

/** The HTML page of a method document's markdown. */
export function renderMethodPage(markdown: string): string {
  const lines = markdown.split('\n');
  const html: string[] = [];
  let title = 'Method';
  for (let i = 0; i < lines.length;) {
    const line = lines[i];
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (heading) {
      const level = heading[1].length;
      if (level === 1) title = heading[2];
      // numbered sections by their number (the app's links), the others as GitHub names them
      const number = /^(\d+(?:\.\d+)*)\.? /.exec(heading[2]);
      const id = number ? `section-${number[1]}` : methodAnchor(heading[2]);
      html.push(`<h${level} id="${id}">${inline(heading[2])}</h${level}>`);
      i++;
    } else if (line.startsWith('```')) {
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) code.push(lines[i]);
      html.push(`<pre>${escapeHtml(code.join('\n'))}</pre>`);
      i++;
    } else if (line.startsWith('    ')) {
      const code: string[] = [];
      for (; i < lines.length && (lines[i].startsWith('    ') || lines[i] === ''); i++)
        code.push(lines[i].slice(4));
      while (code.at(-1) === '') code.pop();
      html.push(`<pre>${escapeHtml(code.join('\n'))}</pre>`);
    } else if (line.startsWith('|')) {
      const rows: string[] = [];
      for (; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i]);
      html.push(table(rows));
    } else if (line.startsWith('- ')) {
      const items: string[] = [];
      for (; i < lines.length && (lines[i].startsWith('- ') || lines[i].startsWith('  ')); i++) {
        if (lines[i].startsWith('- ')) items.push(lines[i].slice(2));
        else items[items.length - 1] += ` ${lines[i].trim()}`;
      }
      html.push(`<ul>${items.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
    } else if (line.trim() === '') {
      i++;
    } else {
      const paragraph: string[] = [];
      for (; i < lines.length && lines[i].trim() !== '' && !/^(#|\||- |```| {4})/.test(lines[i]); i++)
        paragraph.push(lines[i]);
      html.push(`<p>${inline(paragraph.join(' '))}</p>`);
    }
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${inline(title)} — Richscope</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
pre { overflow-x: auto; padding: 0.5rem; background: color-mix(in srgb, currentColor 8%, transparent); }
table { border-collapse: collapse; } td, th { border: 1px solid color-mix(in srgb, currentColor 30%, transparent); padding: 0.2rem 0.5rem; }
:target { outline: 2px solid #0072b2; outline-offset: 4px; }
</style>
</head>
<body>
<p><a href="./">Back to Richscope</a> · docs/method.md</p>
${html.join('\n')}
</body>
</html>
`;
}

/** Serves method.html from docs/method.md under `vite` and `vite preview`, and writes it into the build. */
export function methodPagePlugin(): Plugin {
  const page = () => renderMethodPage(readFileSync(METHOD_FILE, 'utf8'));
  return {
    name: 'richscope-method-page',
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        if (request.url?.split(/[?#]/)[0] !== `/${METHOD_PAGE}`) return next();
        response.setHeader('Content-Type', 'text/html; charset=utf-8');
        response.end(page());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: METHOD_PAGE, source: page() });
    },
  };
}
