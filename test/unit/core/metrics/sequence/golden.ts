/** Loads test/golden/sequence-golden.json (written by tools/golden/make_golden_stats.py). */
import { readFileSync } from 'node:fs';

export interface SequenceGolden {
  errorRates: {
    references: string[];
    hypotheses: string[];
    wordEdits: number[];
    wordReferenceLengths: number[];
    wer: number;
    charEdits: number[];
    charReferenceLengths: number[];
    cer: number;
  };
  rougeL: { target: string; prediction: string; lcs: number; precision: number; recall: number; fmeasure: number }[];
  bleu: { name: string; smoothing: 'method0' | 'method3'; hypotheses: string[]; references: string[][]; nltkBleu: number }[];
  perplexity: { name: string; vocabularySize: number; logits: number[]; targets: number[]; nllSum: number; tokenCount: number; perplexity: number }[];
}

export const sequenceGolden = JSON.parse(
  readFileSync(new URL('../../../../golden/sequence-golden.json', import.meta.url), 'utf8'),
) as SequenceGolden;
