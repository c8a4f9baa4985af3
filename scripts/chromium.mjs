/**
 * The one Chromium every browser run here uses (Playwright e2e, screenshots, memory check, browser
 * benchmark): Debian's /usr/bin/chromium, or CHROMIUM_PATH, never a Playwright download.
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
