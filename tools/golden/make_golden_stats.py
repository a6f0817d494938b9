#!/usr/bin/python3
"""Golden values for QuantLens's statistics and sequence metrics, computed by reference libraries.

Run from the repository root with Debian's Python (numpy 1.24, scipy 1.10, python3-nltk 3.8):

    /usr/bin/python3 tools/golden/make_golden_stats.py

It (re)writes test/golden/stats-golden.json and test/golden/sequence-golden.json, deterministically
(fixed seeds): a re-run gives byte-identical files.

- McNemar's exact test: scipy.stats.binomtest(b, b + c, 0.5, alternative='two-sided').pvalue.
- Bootstrap: a Python twin of src/core/stats/random.ts (xoshiro128** seeded by SplitMix32) draws the
  same indices; numpy.percentile (linear) gives the interval. This checks the resampling and the
  percentile arithmetic, not the choice of method.
- WER / CER: Levenshtein distance by a numpy dynamic-programming table; corpus rate = total edits /
  total reference length (jiwer's definition).
- ROUGE-L: LCS by a numpy table, then rouge-score's P / R / F formulas on rouge-score's tokens.
- BLEU: nltk.translate.bleu_score.corpus_bleu on pre-tokenised lower-case words (where NLTK and
  sacrebleu tokenise alike): method0 (no smoothing) where every order has a match, and method3
  (NIST geometric smoothing = sacrebleu's 'exp') where some order has none. NLTK reports 0..1.
- Perplexity: scipy.special.logsumexp in float64, exp of the token-weighted mean NLL.
"""
import json
import re
from pathlib import Path

import numpy as np
import scipy
from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu
from scipy.special import logsumexp
from scipy.stats import binomtest

OUT_DIR = Path(__file__).resolve().parents[2] / 'test' / 'golden'
M32 = 0xFFFFFFFF


class SeededRandom:
    """Twin of src/core/stats/random.ts."""

    def __init__(self, seed):
        state = seed & M32
        words = []
        for _ in range(4):
            state = (state + 0x9E3779B9) & M32
            z = state
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
            words.append(z ^ (z >> 16))
        self.s = words

    def next_uint32(self):
        s = self.s
        result = (rotl((s[1] * 5) & M32, 7) * 9) & M32
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
        return result

    def next_index(self, n):
        return int(np.floor(self.next_uint32() / 4294967296 * n))


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


def bootstrap(n, statistic, resamples=1000, confidence=0.95, seed=1):
    whole_f, whole_q = statistic(np.ones(n))
    rng = SeededRandom(seed)
    deltas, relatives = [], []
    for _ in range(resamples):
        counts = np.zeros(n)
        for _ in range(n):
            counts[rng.next_index(n)] += 1
        f, q = statistic(counts)
        if np.isfinite(q - f):
            deltas.append(q - f)
        if f != 0 and np.isfinite((q - f) / f):
            relatives.append((q - f) / f)
    q_low, q_high = 100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2
    return {
        'float': whole_f, 'quantized': whole_q, 'delta': whole_q - whole_f,
        'interval': [float(np.percentile(deltas, q_low)), float(np.percentile(deltas, q_high))],
        'relativeInterval': [float(np.percentile(relatives, q_low)), float(np.percentile(relatives, q_high))],
    }


def correctness_pair(rng, n, p_float, p_float_only, p_quantized_only):
    """Paired 0/1 outcomes: both right, float only, quantized only, both wrong."""
    p_both = p_float - p_float_only
    u = rng.random(n)
    float_correct = (u < p_float).astype(int)
    quantized_correct = (((u < p_both)) | ((u >= p_float) & (u < p_float + p_quantized_only))).astype(int)
    return float_correct.tolist(), quantized_correct.tolist()


def make_stats():
    rng = np.random.default_rng(20240611)
    random_cases = []
    for seed in [0, 1, 42, 0xDEADBEEF, -7]:
        generator = SeededRandom(seed)
        random_cases.append({'seed': seed, 'uint32': [generator.next_uint32() for _ in range(8)]})

    mean_cases = []
    for name, n, p_f, p_fo, p_qo in [('n50', 50, 0.8, 0.1, 0.04), ('n300', 300, 0.9, 0.03, 0.01),
                                      ('n120-gain', 120, 0.6, 0.02, 0.08)]:
        f, q = correctness_pair(rng, n, p_f, p_fo, p_qo)
        fa, qa = np.array(f, float), np.array(q, float)
        stat = lambda c, fa=fa, qa=qa: (float((c * fa).sum() / c.sum()), float((c * qa).sum() / c.sum()))
        mean_cases.append({'name': name, 'seed': 7, 'floatCorrect': f, 'quantizedCorrect': q,
                           'expected': bootstrap(n, stat, seed=7)})

    n = 80
    ref_len = rng.integers(0, 12, n)
    ref_len[:3] = 0  # empty references: a resample may have a zero denominator
    f_edits = rng.binomial(ref_len + 1, 0.15)
    q_edits = f_edits + rng.binomial(ref_len + 1, 0.05)
    ratio = lambda c: (float((c * f_edits).sum() / (c * ref_len).sum()), float((c * q_edits).sum() / (c * ref_len).sum()))
    nll_f = rng.uniform(0, 40, n)
    tokens = rng.integers(1, 20, n)
    nll_q = nll_f * rng.uniform(1.0, 1.1, n)
    perplexity = lambda c: (float(np.exp((c * nll_f).sum() / (c * tokens).sum())),
                            float(np.exp((c * nll_q).sum() / (c * tokens).sum())))
    ratio_cases = [
        {'name': 'wer-like', 'seed': 3, 'transform': 'identity',
         'float': {'numerators': f_edits.tolist(), 'denominators': ref_len.tolist()},
         'quantized': {'numerators': q_edits.tolist(), 'denominators': ref_len.tolist()},
         'expected': bootstrap(n, ratio, resamples=500, seed=3)},
        {'name': 'perplexity-like', 'seed': 11, 'transform': 'exp',
         'float': {'numerators': nll_f.tolist(), 'denominators': tokens.tolist()},
         'quantized': {'numerators': nll_q.tolist(), 'denominators': tokens.tolist()},
         'expected': bootstrap(n, perplexity, resamples=500, seed=11)},
    ]

    mcnemar = []
    for b, c in [(0, 0), (1, 0), (0, 1), (3, 3), (10, 2), (2, 10), (7, 11), (25, 40), (120, 95),
                 (450, 520), (480, 560), (1500, 1400), (5000, 5210), (12, 0), (0, 40), (200, 0)]:
        p = 1.0 if b + c == 0 else float(binomtest(b, b + c, 0.5, alternative='two-sided').pvalue)
        mcnemar.append({'b': b, 'c': c, 'pValue': p})

    return {'generator': f'scipy {scipy.__version__}, numpy {np.__version__}', 'random': random_cases,
            'meanBootstrap': mean_cases, 'ratioBootstrap': ratio_cases, 'mcnemar': mcnemar}


def levenshtein(a, b):
    table = np.zeros((len(a) + 1, len(b) + 1), dtype=np.int64)
    table[:, 0] = np.arange(len(a) + 1)
    table[0, :] = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i, j] = min(table[i - 1, j - 1] + (a[i - 1] != b[j - 1]), table[i - 1, j] + 1, table[i, j - 1] + 1)
    return int(table[-1, -1])


def lcs(a, b):
    table = np.zeros((len(a) + 1, len(b) + 1), dtype=np.int64)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i, j] = table[i - 1, j - 1] + 1 if a[i - 1] == b[j - 1] else max(table[i - 1, j], table[i, j - 1])
    return int(table[-1, -1])


def rouge_tokens(text):
    return [t for t in re.split(r'\s+', re.sub(r'[^a-z0-9]+', ' ', text.lower())) if re.match(r'^[a-z0-9]+$', t)]


def perturb(rng, words, vocab, rate):
    out = []
    for word in words:
        u = rng.random()
        if u < rate / 3:
            continue  # deletion
        if u < 2 * rate / 3:
            out.append(str(rng.choice(vocab)))  # substitution
        else:
            out.append(word)
        if rng.random() < rate / 3:
            out.append(str(rng.choice(vocab)))  # insertion
    return out


# Hand-made so that some 4-grams exist but none matches (and no 3-gram in the second case):
# the smoothing then decides the score.
NO_4GRAM_HYPOTHESES = ['the cat sat on a mat today', 'dog ran far then away slept']
NO_4GRAM_REFERENCES = ['the cat sat there on the mat today', 'the dog ran far and then slept away']


def make_sequence():
    rng = np.random.default_rng(7)
    vocab = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'dog', 'ran', 'far', 'away', 'and', 'then', 'slept']
    references = [[str(w) for w in rng.choice(vocab, rng.integers(1, 14))] for _ in range(40)]
    hypotheses = [perturb(rng, ref, vocab, 0.3) for ref in references]
    ref_text = [' '.join(r) for r in references]
    hyp_text = [' '.join(h) for h in hypotheses]
    word_edits = [levenshtein(r, h) for r, h in zip(references, hypotheses)]
    char_edits = [levenshtein(list(r), list(h)) for r, h in zip(ref_text, hyp_text)]
    error_rates = {
        'references': ref_text, 'hypotheses': hyp_text,
        'wordEdits': word_edits, 'wordReferenceLengths': [len(r) for r in references],
        'wer': sum(word_edits) / sum(len(r) for r in references),
        'charEdits': char_edits, 'charReferenceLengths': [len(r) for r in ref_text],
        'cer': sum(char_edits) / sum(len(r) for r in ref_text),
    }

    rouge = []
    for target, prediction in [(ref_text[i], hyp_text[i]) for i in range(12)] + [
            ('The quick brown fox jumps over the lazy dog', 'The quick brown dog jumps on the log.'),
            ("Hello, World! It's 2024.", 'hello world its 2024')]:
        t, p = rouge_tokens(target), rouge_tokens(prediction)
        length = lcs(t, p)
        precision, recall = length / len(p), length / len(t)
        f = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        rouge.append({'target': target, 'prediction': prediction, 'lcs': length,
                      'precision': precision, 'recall': recall, 'fmeasure': f})

    # NLTK's modified_precision divides by max(1, n-gram count) per sentence, so a hypothesis shorter
    # than 4 words adds phantom n-grams to NLTK's totals: keep hypotheses of 4 words or more.
    bleu = []
    long_enough = [i for i, h in enumerate(hypotheses) if len(h) >= 4]
    multi_refs = [[references[i], perturb(rng, references[i], vocab, 0.2)] for i in long_enough[:20]]
    cases = [('single-ref-method0', [hypotheses[i] for i in long_enough], [[references[i]] for i in long_enough], 'method0'),
             ('multi-ref-method0', [hypotheses[i] for i in long_enough[:20]], multi_refs, 'method0'),
             ('no-4gram-match-method3', [h.split() for h in NO_4GRAM_HYPOTHESES], [[r.split()] for r in NO_4GRAM_REFERENCES],
              'method3')]
    for name, hyps, refs, smoothing in cases:
        score = corpus_bleu(refs, hyps, smoothing_function=getattr(SmoothingFunction(), smoothing))
        bleu.append({'name': name, 'smoothing': smoothing, 'hypotheses': [' '.join(h) for h in hyps],
                     'references': [[' '.join(r) for r in rs] for rs in refs], 'nltkBleu': float(score)})

    perplexity = []
    for name, positions, vocab_size, scale, offset in [('small', 12, 7, 3.0, 0.0), ('huge-logits', 9, 50, 50.0, 1e4)]:
        logits = rng.normal(0, scale, (positions, vocab_size)) + offset
        targets = rng.integers(0, vocab_size, positions)
        targets[[1, 4]] = -100
        keep = targets != -100
        nll = logsumexp(logits[keep], axis=1) - logits[keep, targets[keep]]
        perplexity.append({'name': name, 'vocabularySize': vocab_size, 'logits': logits.ravel().tolist(),
                           'targets': targets.tolist(), 'nllSum': float(nll.sum()), 'tokenCount': int(keep.sum()),
                           'perplexity': float(np.exp(nll.mean()))})

    return {'errorRates': error_rates, 'rougeL': rouge, 'bleu': bleu, 'perplexity': perplexity}


def write(name, data):
    (OUT_DIR / name).write_text(json.dumps(data, indent=1) + '\n')


if __name__ == '__main__':
    write('stats-golden.json', make_stats())
    write('sequence-golden.json', make_sequence())
