/** The seeded PRNG (mulberry32) of src/core/random.ts, under the name the fuzz tests use. */
export { createRandom as mulberry32 } from '../core/random';
