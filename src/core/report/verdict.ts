import { verdict } from '../metrics/delta.ts';
import type { Verdict } from '../metrics/types.ts';
import type { ResultDocument } from './document.ts';

/** How the user judges a result: the methodology's three ways. */
export interface VerdictSettings {
  mode: 'points' | 'relative' | 'significance';
  /** Acceptable loss: points in 'points' mode, % of the float value in 'relative' mode. */
  threshold: number;
}

export const DEFAULT_VERDICT: VerdictSettings = { mode: 'points', threshold: 1 };

/** The verdict of a result document under the user's settings, using its interval when it has one. */
export function documentVerdict(doc: ResultDocument, settings: VerdictSettings): Verdict {
  const u = doc.metrics.top1Uncertainty;
  return verdict(doc.metrics.top1, settings.threshold, {
    mode: settings.mode,
    ...(u ? { intervalPoints: u.intervalPoints, intervalRelative: u.intervalRelative, confidence: u.confidence, pValue: u.mcnemarPValue } : {}),
  });
}

export function isValidVerdictSettings(settings: VerdictSettings): boolean {
  return settings.mode === 'significance' || (Number.isFinite(settings.threshold) && settings.threshold >= 0);
}
