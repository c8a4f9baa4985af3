import { describe, expect, it } from 'vitest';

import { compareDlr } from './dlr-comparison';

const at = (run: string, step: number, dlr: number, dlrStdErr: number | null) => ({
  run,
  step,
  metrics: { dlr, dlrStdErr },
});

describe('compareDlr', () => {
  it.each([
    [
      at('rich', 3000, 0.224, 0.012),
      at('lazy', 3000, 0.288, 0.016),
      'rich step 3000 vs lazy step 3000: ΔD_LR = −0.064 ± 0.020 (3.2 s.e.), more than 2 combined standard errors apart',
      true,
    ],
    [
      at('a', 1, 0.3, 0.03),
      at('b', 2, 0.28, 0.04),
      'a step 1 vs b step 2: ΔD_LR = 0.020 ± 0.050 (0.4 s.e.), within 2 combined standard errors',
      false,
    ],
    [
      at('a', 1, 0.3, null),
      at('b', 2, 0.28, 0.04),
      'a step 1 vs b step 2: ΔD_LR = 0.0200; no standard error',
      null,
    ],
  ])('%o vs %o', (a, b, text, distinct) => {
    const comparison = compareDlr(a, b);
    expect(comparison.text.startsWith(text)).toBe(true);
    expect(comparison.text).toContain('(docs/method.md §7)');
    expect(comparison.distinct).toBe(distinct);
  });

  it('reads a session stored before standard errors existed as without one', () => {
    expect(
      compareDlr({ run: 'a', step: 0, metrics: { dlr: 0.2 } }, at('b', 0, 0.1, 0.01)).distinct,
    ).toBeNull();
  });
});
