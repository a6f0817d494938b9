/** Loads test/golden/stats-golden.json (written by tools/golden/make_golden_stats.py). */
import { readFileSync } from 'node:fs';

interface BootstrapExpected {
  float: number;
  quantized: number;
  delta: number;
  interval: [number, number];
  relativeInterval: [number, number];
}

export interface StatsGolden {
  random: { seed: number; uint32: number[] }[];
  meanBootstrap: { name: string; seed: number; floatCorrect: number[]; quantizedCorrect: number[]; expected: BootstrapExpected }[];
  ratioBootstrap: {
    name: string;
    seed: number;
    transform: 'identity' | 'exp';
    float: { numerators: number[]; denominators: number[] };
    quantized: { numerators: number[]; denominators: number[] };
    expected: BootstrapExpected;
  }[];
  mcnemar: { b: number; c: number; pValue: number }[];
}

export const statsGolden = JSON.parse(
  readFileSync(new URL('../../../golden/stats-golden.json', import.meta.url), 'utf8'),
) as StatsGolden;
