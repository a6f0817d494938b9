import { describe, expect, it } from 'vitest';
import { RougeLAccumulator, corpusRougeL, lcsLength, rougeL, rougeTokens } from '../../../../../src/core/metrics/sequence/index.ts';
import { expectClose } from '../golden.ts';
import { sequenceGolden } from './golden.ts';

describe('ROUGE-L, against rouge-score\'s published tests (google-research/google-research rouge/rouge_scorer_test.py)', () => {
  it('matches testRougeLConsecutive / NonConsecutive and testRougeEmpty', () => {
    for (const prediction of ['testing one', 'testing two']) {
      const score = rougeL('testing one two', prediction);
      expect(score.precision).toBe(1);
      expect(score.recall).toBeCloseTo(2 / 3, 15);
      expect(score.fmeasure).toBeCloseTo(4 / 5, 15);
    }
    expect(rougeL('testing one two', '')).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
  });

  it('matches testLcsTable: LCS([1,2,3,4,5], [2,5,3,4]) = 3, and 0 for no common token', () => {
    expect(lcsLength([1, 2, 3, 4, 5], [2, 5, 3, 4])).toBe(3);
    expect(lcsLength([1, 2, 3, 4, 5], [8, 9])).toBe(0);
  });

  it('matches testRougeLAgainstRouge155: ROUGE-1.5.5 on rouge/testdata target.txt / prediction.txt lines 1-2', () => {
    // The two lines of rouge/testdata/target.txt and prediction.txt, copied verbatim; expected to 5 places.
    const targets = [
      "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L",
      "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN",
    ];
    const predictions = [
      "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi",
      "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD",
    ];
    const expected = [[0.40741, 0.6875, 0.51163], [0.40476, 0.65385, 0.5]];
    targets.forEach((target, i) => {
      const score = rougeL(target, predictions[i]);
      expect(score.recall).toBeCloseTo(expected[i][0], 5);
      expect(score.precision).toBeCloseTo(expected[i][1], 5);
      expect(score.fmeasure).toBeCloseTo(expected[i][2], 5);
    });
  });
});

describe('ROUGE-L, against a numpy LCS table (make_golden_stats.py)', () => {
  it('gives the same LCS, precision, recall and F', () => {
    const accumulator = new RougeLAccumulator();
    for (const golden of sequenceGolden.rougeL) {
      expect(lcsLength(rougeTokens(golden.target), rougeTokens(golden.prediction))).toBe(golden.lcs);
      const score = accumulator.add(golden.target, golden.prediction);
      expectClose(score.precision, golden.precision, 'precision');
      expectClose(score.recall, golden.recall, 'recall');
      if (golden.fmeasure !== 0) expectClose(score.fmeasure, golden.fmeasure, 'F');
    }
    const meanF = sequenceGolden.rougeL.reduce((sum, golden) => sum + golden.fmeasure, 0) / sequenceGolden.rougeL.length;
    expectClose(accumulator.result().fmeasure, meanF, 'mean F');
  });

  it('tokenises like rouge-score: lowercase, only [a-z0-9] runs', () => {
    expect(rougeTokens("Hello, World! It's café 2024.")).toEqual(['hello', 'world', 'it', 's', 'caf', '2024']);
    expect(corpusRougeL([], []).fmeasure).toBeNaN();
  });
});
