/**
 * The memory figures the browser gives away, for core/providers/memory.ts: navigator.deviceMemory
 * (Chromium, page and workers; GiB, rounded down to a power of two, capped at 8) and
 * performance.memory.jsHeapSizeLimit (Chromium only). Absent figures are simply not judged.
 */
import type { DeviceMemory } from '../core/providers/memory.ts';

export function readDeviceMemory(): DeviceMemory {
  const reported = (globalThis.navigator as { deviceMemory?: unknown } | undefined)?.deviceMemory;
  const heap = (globalThis.performance as { memory?: { jsHeapSizeLimit?: unknown } } | undefined)?.memory?.jsHeapSizeLimit;
  return {
    ...(typeof reported === 'number' && reported > 0 ? { deviceMemoryBytes: reported * 1024 ** 3 } : {}),
    ...(typeof heap === 'number' && heap > 0 ? { jsHeapSizeLimit: heap } : {}),
  };
}
