/** Streaming comparison of the float and quantized models' top-1 predictions, sample by sample. */
import { checkLabel, checkScores } from './classification.ts';
import { argmax } from './ranking.ts';
import type { AgreementResult } from './types.ts';

/** Counts agreement and flips between the two models; memory grows only with flipped samples. */
export class AgreementAccumulator {
  readonly #numClasses: number | undefined;
  #sampleCount = 0;
  #top1Agree = 0;
  #wrongToOtherWrong = 0;
  readonly #flippedToWrong: number[] = [];
  readonly #flippedToCorrect: number[] = [];

  /** With `numClasses`, every sample's scores and labels are checked against it. */
  constructor(numClasses?: number) {
    this.#numClasses = numClasses;
  }

  /** Adds one sample's scores from both models (argmax, ties to the lowest index). */
  add(floatScores: ArrayLike<number>, quantizedScores: ArrayLike<number>, label: number | null): void {
    const numClasses = this.#numClasses ?? floatScores.length;
    checkScores(floatScores, numClasses);
    checkScores(quantizedScores, numClasses);
    this.addPredictions(argmax(floatScores), argmax(quantizedScores), label);
  }

  /** Adds one sample's already-computed top-1 predictions. */
  addPredictions(floatPrediction: number, quantizedPrediction: number, label: number | null): void {
    if (label !== null && this.#numClasses !== undefined) checkLabel(label, this.#numClasses);
    const sampleIndex = this.#sampleCount++;
    if (floatPrediction === quantizedPrediction) {
      this.#top1Agree++;
      return;
    }
    if (label === null) return;
    if (floatPrediction === label) this.#flippedToWrong.push(sampleIndex);
    else if (quantizedPrediction === label) this.#flippedToCorrect.push(sampleIndex);
    else this.#wrongToOtherWrong++;
  }

  /** Agreement over all samples (labelled or not); flips over labelled samples only. */
  result(): AgreementResult {
    return {
      sampleCount: this.#sampleCount,
      top1Agree: this.#top1Agree,
      top1Agreement: this.#sampleCount === 0 ? Number.NaN : this.#top1Agree / this.#sampleCount,
      correctToWrong: this.#flippedToWrong.length,
      wrongToCorrect: this.#flippedToCorrect.length,
      wrongToOtherWrong: this.#wrongToOtherWrong,
      flippedToWrong: [...this.#flippedToWrong],
      flippedToCorrect: [...this.#flippedToCorrect],
    };
  }
}
