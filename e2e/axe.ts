/** axe-core (from the npm registry) run in the page: the accessibility checks of the e2e specs. */
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';

/** axe-core's browser build, injected into the page. */
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical violations on the page as it stands, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: Document) => Promise<AxeResults> } }).axe;
    type AxeResults = {
      passes: unknown[];
      violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
    };
    const { passes, violations } = await axe.run(document);
    if (passes.length < 10) return [`axe checked almost nothing (${passes.length} rules passed)`];
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}
