import { readdirSync, readFileSync } from 'node:fs';

/**
 * The one Chromium every browser run here uses (Playwright e2e, screenshots, memory check, browser
 * benchmark): Debian's /usr/bin/chromium, or CHROMIUM_PATH, never a Playwright download. Also how the
 * scripts measure its memory.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * No sandbox (containers and CI run as root), no GPU (headless machines have none), and no traffic
 * of the browser's own (QUIC, updates, sync, first-run pages), so the page's requests are the only
 * ones and timings are not disturbed.
 */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Resident memory (bytes) of every Chromium renderer process under `rootPid`. */
export function rendererRss(rootPid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(Number(entry), ppid);
    } catch {
      // process ended
    }
  }
  const descendants = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of children) {
      if (descendants.has(ppid) && !descendants.has(pid)) {
        descendants.add(pid);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const pid of descendants) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) total += Number(rss[1]) * 1024;
    } catch {
      // process ended
    }
  }
  return total;
}
