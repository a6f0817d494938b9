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

/** The verdict on a result's first metric under the user's settings, using its interval when it has one. */
export function documentVerdict(doc: ResultDocument, settings: VerdictSettings): Verdict {
  const primary = doc.metrics[0];
  const u = doc.uncertainty;
  return verdict(primary.delta, settings.threshold, {
    mode: settings.mode,
    metricName: primary.name.charAt(0).toLowerCase() + primary.name.slice(1),
    ...(primary.unit === 'number' ? { valueFormat: 'number' as const } : {}),
    ...(u ? { intervalPoints: u.intervalPoints, intervalRelative: u.intervalRelative, confidence: u.confidence, pValue: u.mcnemarPValue } : {}),
  });
}

export function isValidVerdictSettings(settings: VerdictSettings): boolean {
  return settings.mode === 'significance' || (Number.isFinite(settings.threshold) && settings.threshold >= 0);
}
