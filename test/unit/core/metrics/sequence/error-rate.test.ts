import { describe, expect, it } from 'vitest';
import { QuantLensError } from '../../../../../src/core/errors.ts';
import {
  ErrorRateAccumulator, characterErrorRate, levenshtein, wordErrorRate, wordsOf,
} from '../../../../../src/core/metrics/sequence/index.ts';
import { expectClose } from '../golden.ts';
import { sequenceGolden } from './golden.ts';

describe('levenshtein', () => {
  it('counts substitutions, deletions and insertions', () => {
    expect(levenshtein([...'kitten'], [...'sitting'])).toBe(3);
    expect(levenshtein([], ['a', 'b'])).toBe(2);
    expect(levenshtein(['a', 'b'], [])).toBe(2);
    expect(levenshtein(['a'], ['a'])).toBe(0);
  });
});

describe('WER and CER, against a numpy dynamic-programming table (make_golden_stats.py)', () => {
  const golden = sequenceGolden.errorRates;
  it('gives the same per-sample edits and corpus rates (total edits / total reference length)', () => {
    const words = new ErrorRateAccumulator('word');
    const characters = new ErrorRateAccumulator('character');
    golden.references.forEach((reference, i) => {
      expect(words.add(reference, golden.hypotheses[i])).toEqual({ edits: golden.wordEdits[i], referenceLength: golden.wordReferenceLengths[i] });
      expect(characters.add(reference, golden.hypotheses[i])).toEqual({ edits: golden.charEdits[i], referenceLength: golden.charReferenceLengths[i] });
    });
    expectClose(words.result().errorRate, golden.wer, 'WER');
    expectClose(characters.result().errorRate, golden.cer, 'CER');
    expect(wordErrorRate(golden.references, golden.hypotheses).errorRate).toBe(words.result().errorRate);
  });
});

describe('WER and CER, against jiwer\'s published test values', () => {
  // jitsi/jiwer tests/test_wer.py and tests/test_measures.py (test_known_values, from Morris et al.,
  // "From WER and RIL to MER and WIL"); tests/test_cer.py for CER.
  it('matches jiwer\'s WER cases', () => {
    expect(wordErrorRate(['This is a test'], ['This is a test']).errorRate).toBe(0);
    expect(wordErrorRate(['This is a test'], ['']).errorRate).toBe(1);
    expect(wordErrorRate(['This is a test'], ['This test']).errorRate).toBe(0.5);
    expect(wordErrorRate(['X'], ['X X Y Y']).errorRate).toBe(3);
    expect(wordErrorRate(['X Y X'], ['X Z']).errorRate).toBeCloseTo(2 / 3, 15);
    expect(wordErrorRate(['X'], ['Y Z']).errorRate).toBe(2);
    expect(wordErrorRate(['i am a short ground truth'], ['i am a considerably longer and very much incorrect hypothesis']).errorRate)
      .toBeCloseTo(7 / 6, 15);
  });

  it('is corpus-level, not a mean of sentence rates (jiwer test_different_sentence_length)', () => {
    const references = ['i like monthy python', 'what do you mean african or european swallow'];
    const hypotheses = ['i like python', 'what you mean or swallow'];
    const joined = wordErrorRate([references.join(' ')], [hypotheses.join(' ')]);
    expect(wordErrorRate(references, hypotheses).errorRate).toBe(joined.errorRate);
  });

  it('matches jiwer\'s CER cases (characters include inner spaces)', () => {
    expect(characterErrorRate(['This is a test'], ['This test']).errorRate).toBe(5 / 14);
    expect(characterErrorRate(['This is a test'], ['']).errorRate).toBe(1);
    expect(characterErrorRate(['X'], ['X X Y Y']).errorRate).toBe(6);
    expect(characterErrorRate(['X Y X'], ['X Z']).errorRate).toBe(3 / 5);
    expect(characterErrorRate(['X'], ['Y Z']).errorRate).toBe(3);
    expect(characterErrorRate(['i', 'am i good'], ['i am', 'i good']).errorRate).toBe(0.6);
    // test_return_dict: 1 + 3 + 3 = 7 edits over 10 reference characters.
    expect(characterErrorRate(['i', 'am i good'], ['i am', 'y good'])).toMatchObject({ edits: 7, referenceLength: 10, errorRate: 0.7 });
  });
});

describe('normalisation', () => {
  it('is off by default and opt-in for case and punctuation', () => {
    expect(wordErrorRate(['Hello, world.'], ['hello world']).errorRate).toBe(1);
    expect(wordErrorRate(['Hello, world.'], ['hello world'], { lowercase: true, stripPunctuation: true }).errorRate).toBe(0);
    expect(wordsOf('  a \t b\nc  ')).toEqual(['a', 'b', 'c']);
    expect(characterErrorRate(['  ab '], ['ab']).errorRate).toBe(0);
    expect(characterErrorRate(['😀a'], ['a']).errorRate).toBe(0.5); // code points, as Python counts them
  });

  it('allows empty references and is NaN only when all are empty', () => {
    expect(wordErrorRate(['', 'a b'], ['x', 'a b'])).toMatchObject({ edits: 1, referenceLength: 2, errorRate: 0.5 });
    expect(wordErrorRate([''], ['x']).errorRate).toBeNaN();
    expect(() => wordErrorRate(['a'], [])).toThrow(QuantLensError);
  });
});
