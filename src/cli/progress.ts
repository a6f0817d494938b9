/**
 * Progress on stderr: a bar redrawn in place on a terminal, plain lines (every 10 %) in CI logs,
 * or nothing. stdout stays for the summary.
 */
import { formatDuration, type Progress } from '../core/eval/progress.ts';
import type { ProgressMode } from './options.ts';

export interface ProgressReporter {
  update(progress: Progress): void;
  /** Ends the bar's line (a no-op for lines). */
  done(): void;
}

interface Sink {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export function progressReporter(mode: ProgressMode, stream: Sink): ProgressReporter {
  const kind = mode === 'auto' ? (stream.isTTY ? 'bar' : 'lines') : mode;
  if (kind === 'none') return { update: () => undefined, done: () => undefined };
  if (kind === 'lines') {
    let nextTenth = 1;
    return {
      update(p) {
        const tenth = p.total > 0 ? Math.floor((p.done / p.total) * 10) : 10;
        if (tenth < nextTenth && p.done < p.total) return;
        nextTenth = tenth + 1;
        stream.write(`progress: ${p.done}/${p.total} samples (${percent(p)}), ${formatDuration(p.elapsedMs)} elapsed${p.done < p.total && p.etaMs !== null ? `, ${p.etaMs < 1000 ? 'under a second' : `about ${formatDuration(p.etaMs)}`} left` : ''}\n`);
      },
      done: () => undefined,
    };
  }
  let drawn = false;
  let lastDraw = 0;
  return {
    update(p) {
      const now = Date.now();
      if (p.done < p.total && now - lastDraw < 100) return; // at most 10 redraws a second
      lastDraw = now;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 50));
      const filled = p.total > 0 ? Math.round((p.done / p.total) * width) : width;
      const eta = p.done < p.total && p.etaMs !== null ? ` · ${formatDuration(p.etaMs)} left` : '';
      stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.done}/${p.total} ${percent(p)} · ${Math.round(p.rate)}/s${eta}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}

function percent(p: Progress): string {
  return `${p.total > 0 ? Math.floor((p.done / p.total) * 100) : 100}%`;
}
