/**
 * A small seeded pseudo-random generator, so that every bootstrap interval and simulation is
 * reproducible from its seed on every host (Math.random cannot be seeded).
 *
 * xoshiro128** 1.1 (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c): 128-bit
 * state, period 2^128 - 1, passes BigCrush. The state is filled from the 32-bit seed by SplitMix32
 * (Vigna's splitmix64 constants cut to 32 bits: golden-ratio increment, murmur3 fmix32 mixer), which
 * never yields the forbidden all-zero state for 4 consecutive outputs. tools/golden/make_golden_stats.py
 * carries a line-by-line Python twin and the test checks both agree.
 */
import { QuantLensError } from '../errors.ts';

/** Seeded generator of uniform 32-bit integers, floats in [0, 1) and indices in [0, n). */
export class SeededRandom {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /** Any integer seed; only its low 32 bits matter. */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) {
      throw new QuantLensError('invalid-input', `A random seed must be a whole number (got ${seed}).`,
        'Pass an integer seed such as 1.');
    }
    let state = seed >>> 0;
    const next = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
  }

  /** Next uniform integer in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5), 7), 9) >>> 0;
    const t = (this.#s1 << 9) >>> 0;
    this.#s2 = (this.#s2 ^ this.#s0) >>> 0;
    this.#s3 = (this.#s3 ^ this.#s1) >>> 0;
    this.#s1 = (this.#s1 ^ this.#s2) >>> 0;
    this.#s0 = (this.#s0 ^ this.#s3) >>> 0;
    this.#s2 = (this.#s2 ^ t) >>> 0;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /** Next uniform float in [0, 1), with 32 random bits. */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * Next uniform index in [0, n) as floor(u * n) with u = nextFloat(). The bias is below n / 2^32
   * (under 3e-4 % for a million samples), far below bootstrap noise; n must be at most 2^32.
   */
  nextIndex(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Fisher-Yates with the seeded generator: the same seed gives the same order in every host. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = new SeededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.nextIndex(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
