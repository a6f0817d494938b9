import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { SeededRandom, SequentialVerdict } from '../../../../src/core/stats/index.ts';
import type { SequentialVerdictOptions } from '../../../../src/core/stats/index.ts';

/** Paired outcomes: P(float right only) and P(quantized right only) around a common accuracy. */
interface Population {
  bothRight: number;
  floatOnly: number;
  quantizedOnly: number;
}

/** Runs one seeded stream of up to maxSamples through a SequentialVerdict. */
function run(population: Population, options: SequentialVerdictOptions, seed: number, maxSamples: number) {
  const random = new SeededRandom(seed);
  const sequential = new SequentialVerdict(options);
  let state = sequential.state;
  for (let i = 0; i < maxSamples && !state.settled; i++) {
    const u = random.nextFloat();
    const floatRight = u < population.bothRight + population.floatOnly;
    const quantizedRight = u < population.bothRight ||
      (u >= population.bothRight + population.floatOnly && u < population.bothRight + population.floatOnly + population.quantizedOnly);
    state = sequential.add(floatRight, quantizedRight);
  }
  return state;
}

function simulate(population: Population, options: SequentialVerdictOptions, trials: number, maxSamples: number) {
  const outcomes = { within: 0, exceeds: 0, unsettled: 0, samples: [] as number[] };
  for (let t = 0; t < trials; t++) {
    const state = run(population, options, 1000 + t, maxSamples);
    if (state.outcome) {
      outcomes[state.outcome]++;
      outcomes.samples.push(state.samplesUsed);
    } else outcomes.unsettled++;
  }
  return outcomes;
}

// Allowed: alpha plus 3 binomial standard errors of the simulated rate.
const tolerance = (alpha: number, trials: number): number => alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / trials);

describe('SequentialVerdict: error rate under continuous peeking (seeded simulations)', () => {
  const alpha = 0.05;
  const trials = 400;

  it('rarely says "exceeds" when the true loss is exactly the budget (1 point)', () => {
    // True loss = 0.03 − 0.02 = 1 point: 'exceeds' is wrong, 'within' is right (loss ≤ budget).
    const result = simulate({ bothRight: 0.85, floatOnly: 0.03, quantizedOnly: 0.02 }, { threshold: 1, alpha }, trials, 4000);
    expect(result.exceeds / trials).toBeLessThanOrEqual(tolerance(alpha, trials));
  });

  it('rarely says "within" when the true loss is just above the budget', () => {
    // True loss 1.5 points against a 1-point budget.
    const result = simulate({ bothRight: 0.85, floatOnly: 0.035, quantizedOnly: 0.02 }, { threshold: 1, alpha }, trials, 4000);
    expect(result.within / trials).toBeLessThanOrEqual(tolerance(alpha, trials));
  });

  it('rarely flags a significant loss when there is none (significance mode)', () => {
    const result = simulate({ bothRight: 0.88, floatOnly: 0.02, quantizedOnly: 0.02 }, { mode: 'significance', alpha }, trials, 4000);
    expect(result.exceeds / trials).toBeLessThanOrEqual(tolerance(alpha, trials));
    expect(result.within).toBe(0);
  });

  it('where naive peeking at a fixed-sample z-test (every 100 samples) would err far more often', () => {
    // Same boundary population as the first case; one-sided z-test of mean loss > 1 point at 5%.
    let wrong = 0;
    for (let t = 0; t < trials; t++) {
      const random = new SeededRandom(1000 + t);
      let sum = 0;
      let sumSquares = 0;
      for (let n = 1; n <= 4000; n++) {
        const u = random.nextFloat();
        const loss = u >= 0.85 && u < 0.88 ? 1 : u >= 0.88 && u < 0.9 ? -1 : 0;
        sum += loss;
        sumSquares += loss * loss;
        if (n % 100 !== 0) continue;
        const mean = sum / n;
        const standardError = Math.sqrt((sumSquares / n - mean * mean) / n);
        if ((mean - 0.01) / standardError > 1.645) {
          wrong++;
          break;
        }
      }
    }
    expect(wrong / trials).toBeGreaterThan(2 * alpha);
  });
});

describe('SequentialVerdict: it does settle when the answer is clear', () => {
  it('settles "within" for no loss and "exceeds" for a 5-point loss against a 1-point budget', () => {
    const noLoss = simulate({ bothRight: 0.88, floatOnly: 0.01, quantizedOnly: 0.01 }, { threshold: 1 }, 100, 20_000);
    expect(noLoss.within).toBeGreaterThanOrEqual(95);
    const bigLoss = simulate({ bothRight: 0.85, floatOnly: 0.06, quantizedOnly: 0.01 }, { threshold: 1 }, 100, 20_000);
    expect(bigLoss.exceeds).toBeGreaterThanOrEqual(95);
  });

  it('supports relative budgets and lower-is-better scores, and stays settled', () => {
    // Float accuracy 0.90, quantized 0.80: an 11% relative loss exceeds a 2% budget.
    const relative = simulate({ bothRight: 0.8, floatOnly: 0.1, quantizedOnly: 0 }, { mode: 'relative', threshold: 2 }, 20, 5000);
    expect(relative.exceeds).toBe(20);
    const errors = new SequentialVerdict({ threshold: 1, higherIsBetter: false });
    let state = errors.state;
    for (let i = 0; i < 5000 && !state.settled; i++) state = errors.add(i % 10 === 0, i % 5 === 0); // error 10% → 20%
    expect(state.outcome).toBe('exceeds');
    const samplesUsed = state.samplesUsed;
    expect(errors.add(0, 0)).toEqual(state);
    expect(errors.state.samplesUsed).toBe(samplesUsed);
    expect(new SequentialVerdict({ threshold: 100 }).add(1, 0).outcome).toBe('within');
  });

  it('rejects nonsense', () => {
    expect(() => new SequentialVerdict({})).toThrow(QuantLensError);
    expect(() => new SequentialVerdict({ threshold: 1, alpha: 1 })).toThrow(QuantLensError);
    expect(() => new SequentialVerdict({ threshold: 1 }).add(2, 0)).toThrow(QuantLensError);
  });
});
