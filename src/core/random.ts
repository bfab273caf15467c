/**
 * Seeded pseudo-random numbers for reproducible weights (synthetic ONNX files, GNN init, shuffles).
 */

/**
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit-state generator, fast and good enough for
 * initialisation and shuffling (not for cryptography).
 * @param seed any integer; the same seed gives the same sequence
 * @returns a function giving floats uniformly in [0, 1)
 */
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
 * A seeded Fisher–Yates shuffle (Knuth, TAOCP vol. 2, Algorithm P) of a copy of `xs`, drawing
 * from `mulberry32(seed)`; the input is not changed.
 * @returns a new array with the elements of `xs` in shuffled order
 */
export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const r = mulberry32(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
