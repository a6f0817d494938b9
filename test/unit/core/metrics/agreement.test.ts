import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../../src/core/errors.ts';
import { AgreementAccumulator } from '../../../../src/core/metrics/index.ts';

const scores = (...values: number[]): Float32Array => Float32Array.from(values);

describe('AgreementAccumulator', () => {
  it('sorts every disagreement into the right bucket, by sample index', () => {
    const agreement = new AgreementAccumulator(3);
    agreement.add(scores(9, 0, 0), scores(9, 0, 0), 0); // 0: agree, both right
    agreement.add(scores(9, 0, 0), scores(0, 9, 0), 0); // 1: correct -> wrong
    agreement.add(scores(0, 9, 0), scores(9, 0, 0), 0); // 2: wrong -> correct
    agreement.add(scores(0, 9, 0), scores(0, 0, 9), 0); // 3: wrong -> other wrong
    agreement.add(scores(0, 9, 0), scores(0, 9, 0), 0); // 4: agree, both wrong
    agreement.add(scores(0, 9, 0), scores(0, 0, 9), null); // 5: disagree, unlabelled
    agreement.add(scores(5, 5, 0), scores(5, 0, 5), 1); // 6: ties -> both predict 0: agree
    agreement.add(scores(1, 0, 0), scores(0, 1, 0), 0); // 7: correct -> wrong
    expect(agreement.result()).toEqual({
      sampleCount: 8,
      top1Agree: 3,
      top1Agreement: 3 / 8,
      correctToWrong: 2,
      wrongToCorrect: 1,
      wrongToOtherWrong: 1,
      flippedToWrong: [1, 7],
      flippedToCorrect: [2],
    });
  });

  it('takes ready-made predictions too', () => {
    const agreement = new AgreementAccumulator();
    agreement.addPredictions(2, 2, null);
    agreement.addPredictions(2, 1, 2);
    expect(agreement.result()).toMatchObject({ top1Agree: 1, flippedToWrong: [1] });
  });

  it('reports NaN agreement for no samples and rejects mismatched outputs', () => {
    expect(new AgreementAccumulator().result().top1Agreement).toBeNaN();
    expect(() => new AgreementAccumulator().add(scores(1, 2, 3), scores(1, 2), null)).toThrow(QuantLensError);
    expect(() => new AgreementAccumulator(3).add(scores(1, 2, 3), scores(1, 2, 3), 4)).toThrow(QuantLensError);
  });
});
