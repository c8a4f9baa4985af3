/** Seeded pseudo-random numbers for deterministic tests, synthetic tasks and training. */

/** mulberry32: a small 32-bit generator, uniform in [0, 1). Same seed, same sequence. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box-Muller) from a uniform generator. */
export function createNormal(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

/** rows x cols row-major matrix of standard normal entries. */
export function normalMatrix(rows: number, cols: number, seed: number): Float64Array {
  const normal = createNormal(createRandom(seed));
  return Float64Array.from({ length: rows * cols }, normal);
}
