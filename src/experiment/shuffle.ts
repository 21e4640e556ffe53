/** mulberry32: a small, fast, seedable 32-bit PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A permutation of 0..n-1 (Fisher-Yates) that depends only on `seed` and `epoch`, so that runs
 * with the same seed see the batches in the same order (tfjs' own `shuffle: true` uses Math.random).
 */
export function epochPermutation(n: number, seed: number, epoch: number): Int32Array {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) {
    throw new Error(`epochPermutation: n must be an integer from 0 to 2^31 - 1, got ${String(n)}.`);
  }
  const random = mulberry32((seed * 2654435761 + epoch * 40503 + 1) >>> 0);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
