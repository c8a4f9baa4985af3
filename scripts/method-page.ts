/**
 * docs/method.md as a page the app ships (method.html), so the dashboard's "method, §3.1" links work
 * offline and point at a page the user has. Renders the subset of Markdown that file uses:
 * headings (numbered ones get ids `section-3-1`), paragraphs, lists with continuation lines,
 * indented code, tables, `code` and **bold**. Everything else is text, HTML-escaped.
 */

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

/** The id of a heading: `section-3-1` for "3.1 Output rank…", else a slug of its words. */
export function headingId(text: string): string {
  const number = /^(\d+(?:\.\d+)*)\.?\s/.exec(text);
  if (number) return `section-${number[1].replace(/\./g, '-')}`;
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The HTML body of the Markdown subset described above. */
export function renderMarkdown(markdown: string): string {
  const out: string[] = [];
  let paragraph: string[] = [];
  let list: string[][] = [];
  let code: string[] = [];
  let table: string[][] = [];
  const flush = () => {
    if (paragraph.length) out.push(`<p>${inline(paragraph.join(' '))}</p>`);
    if (list.length)
      out.push(
        `<ul>${list
          .map(
            ([first, ...rest]) =>
              `<li>${[inline(first), ...rest.map((l) => `<span class="line">${inline(l)}</span>`)].join('')}</li>`,
          )
          .join('')}</ul>`,
      );
    if (code.length) out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
    if (table.length) {
      const [head, , ...body] = table;
      const row = (cells: string[], tag: string) =>
        `<tr>${cells.map((c) => `<${tag}>${inline(c)}</${tag}>`).join('')}</tr>`;
      out.push(
        `<table><thead>${row(head, 'th')}</thead><tbody>${body.map((r) => row(r, 'td')).join('')}</tbody></table>`,
      );
    }
    paragraph = [];
    list = [];
    code = [];
    table = [];
  };
  for (const line of markdown.split(/\r?\n/)) {
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const level = heading[1].length;
      out.push(`<h${level} id="${headingId(heading[2])}">${inline(heading[2])}</h${level}>`);
    } else if (line.trim() === '') {
      flush();
    } else if (line.startsWith('|')) {
      if (!table.length) flush();
      table.push(
        line
          .replace(/^\||\|$/g, '')
          .split('|')
          .map((c) => c.trim()),
      );
    } else if (/^- /.test(line)) {
      if (paragraph.length || code.length) flush();
      list.push([line.slice(2)]);
    } else if (list.length && /^\s/.test(line)) {
      // A continuation of the list item: a wrapped sentence, or a formula indented further.
      const item = list[list.length - 1];
      if (/^\s{4,}/.test(line)) item.push(line.trim());
      else item[item.length - 1] += ` ${line.trim()}`;
    } else if (/^ {4}/.test(line) && !paragraph.length) {
      code.push(line.slice(4));
    } else {
      if (code.length || list.length) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return out.join('\n');
}

/** A whole page: the rendered method with a light/dark style of its own. */
export function renderMethodPage(markdown: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Richscope: the method</title>
<style>
:root { color-scheme: light dark; --ink: #1f2328; --bg: #ffffff; --muted: #5b636e; --line: #d5d9de; --code: #f4f5f7; }
@media (prefers-color-scheme: dark) { :root { --ink: #e6e6e6; --bg: #16181d; --muted: #a0a7b1; --line: #30353d; --code: #0f1115; } }
body { margin: 0 auto; max-width: 52em; padding: 16px 20px 48px; font: 15px/1.55 system-ui, sans-serif; color: var(--ink); background: var(--bg); }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; } h3 { font-size: 16px; }
:target { scroll-margin-top: 12px; background: var(--code); }
pre { background: var(--code); padding: 8px 10px; border-radius: 6px; overflow-x: auto; }
code { font-size: 0.92em; }
li .line { display: block; font-family: ui-monospace, monospace; font-size: 0.9em; white-space: pre-wrap; margin: 2px 0 2px 1em; }
table { border-collapse: collapse; } th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; }
.source { color: var(--muted); font-size: 13px; }
a { color: #0b62a4; }
@media (prefers-color-scheme: dark) { a { color: #63b3ed; } }
</style>
</head>
<body>
<p class="source">docs/method.md of Richscope, shipped with the app. <a href="./#/">Back to the dashboard</a></p>
${renderMarkdown(markdown)}
</body>
</html>
`;
}
