import { describe, expect, it } from 'vitest';
import {
  BleuAccumulator, bleuFromStatistics, bleuSentenceStatistics, corpusBleu, tokenize13a,
} from '../../../../../src/core/metrics/sequence/index.ts';
import { expectClose } from '../golden.ts';
import { sequenceGolden } from './golden.ts';

// sacrebleu's own tests (mjpost/sacrebleu test/test_bleu.py): the README example, 3 hypotheses with
// 2 reference streams (transposed here to references per hypothesis).
const README_HYPOTHESES = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
const README_REFERENCES = [
  ['The dog bit the man.', 'The dog had bit the man.'],
  ['It was not unexpected.', 'No one was surprised.'],
  ['The man bit him first.', 'The man had bitten the dog.'],
];

describe('corpus BLEU, against sacrebleu\'s published test values', () => {
  it('gives 48.530827 with the defaults (13a, exp smoothing) and 49.1919566 with tokenize none', () => {
    // test_corpus_bleu_cases, checked there to 1e-8.
    expect(Math.abs(corpusBleu(README_HYPOTHESES, README_REFERENCES).score - 48.530827)).toBeLessThan(1e-6);
    expect(Math.abs(corpusBleu(README_HYPOTHESES, README_REFERENCES, { tokenize: 'none' }).score - 49.1919566)).toBeLessThan(1e-6);
    expect(Math.abs(corpusBleu(README_HYPOTHESES, README_REFERENCES, { smoothMethod: 'none' }).score - 48.530827)).toBeLessThan(1e-6);
    expect(corpusBleu(['', '', ''], README_REFERENCES).score).toBe(0);
  });

  it('scores from sufficient statistics like BLEU.compute_bleu (test_case_scoring: 0.8375922397)', () => {
    const score = bleuFromStatistics({ hypothesisLength: 11, referenceLength: 11, matches: [9, 7, 5, 3], totals: [10, 8, 6, 4] },
      { smoothMethod: 'none' }).score;
    expect(Math.abs(score / 100 - 0.8375922397)).toBeLessThan(1e-8);
  });

  it('counts clipped matches like sacrebleu (test_case_statistics)', () => {
    const stats = bleuSentenceStatistics('am I am a character sequence', 'I am a symbol string sequence a a', { tokenize: 'none' });
    expect(stats.matches).toEqual([4, 2, 1, 0]);
    expect(stats.totals).toEqual([6, 5, 4, 3]);
  });

  it('matches sacrebleu\'s sentence-level smoothing cases (test_sentence_bleu.py, issue #98, to 1e-3)', () => {
    const ref = 'producţia de zahăr brut se exprimă în zahăr alb;';
    const sys = 'Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;';
    const cases: [Parameters<typeof corpusBleu>[2], number][] = [
      [{ smoothMethod: 'exp' }, 8.493], [{ smoothMethod: 'none' }, 0], [{ smoothMethod: 'floor' }, 4.51688],
      [{ smoothMethod: 'floor', smoothValue: 0.5 }, 10.10], [{ smoothMethod: 'add-k' }, 14.882],
      [{ smoothMethod: 'add-k', smoothValue: 2 }, 21.389], [{ tokenize: 'none' }, 7.347],
    ];
    for (const [options, expected] of cases) {
      const score = corpusBleu([sys], [ref], { ...options, effectiveOrder: true }).score;
      expect(Math.abs(score - expected), JSON.stringify(options)).toBeLessThan(1e-3);
    }
    expect(corpusBleu(['this is a cat'], ['okay thanks']).score).toBe(0); // issue #141
  });
});

describe('corpus BLEU, against NLTK corpus_bleu on pre-tokenised text (make_golden_stats.py)', () => {
  for (const golden of sequenceGolden.bleu) {
    it(`${golden.name}`, () => {
      const smoothMethod = golden.smoothing === 'method3' ? 'exp' : 'none';
      for (const tokenize of ['none', '13a'] as const) {
        const result = corpusBleu(golden.hypotheses, golden.references, { tokenize, smoothMethod });
        expectClose(result.score / 100, golden.nltkBleu, `${golden.name} ${tokenize}`);
      }
    });
  }
});

describe('13a tokenizer', () => {
  it('splits punctuation off words but keeps decimals and thousands together', () => {
    expect(tokenize13a('Hello, world! 3.14 and 1,000 items.')).toBe('Hello , world ! 3.14 and 1,000 items .');
    expect(tokenize13a("It wasn't &quot;ok&quot; (2-3)")).toBe('It wasn\'t " ok " ( 2 - 3 )'); // ' and - are not in 13a's symbol set
  });

  it('accumulates the same corpus score as the batch function', () => {
    const accumulator = new BleuAccumulator();
    README_HYPOTHESES.forEach((hypothesis, i) => accumulator.add(hypothesis, README_REFERENCES[i]));
    expect(accumulator.result().score).toBe(corpusBleu(README_HYPOTHESES, README_REFERENCES).score);
  });
});
