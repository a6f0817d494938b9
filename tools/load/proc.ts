/**
 * Chromium's processes from /proc (Linux): the browser process (found by its unique
 * --remote-debugging-port), its descendants (zygote → renderers, GPU, utility), and for each:
 * RSS and its high-water mark (status: VmRSS, VmHWM) and PSS (smaps_rollup). Dedicated workers are
 * threads of their page's renderer, so the page's renderer RSS includes every worker and every
 * WebAssembly memory (ORT's heaps, where the model sessions live).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessMemory {
  pid: number;
  /** browser, renderer, gpu-process, utility, zygote… (Chromium's --type, 'browser' without one). */
  type: string;
  rssKb: number;
  hwmKb: number;
  pssKb: number | null;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Arguments; Chromium's child processes rewrite their title into one space-separated string. */
function cmdline(pid: number): string[] {
  return (read(`/proc/${pid}/cmdline`) ?? '').split(/[\0 ]/).filter(Boolean);
}

function allPids(): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

function parentOf(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return null;
  // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** The browser process: its command line holds our debugging port and no --type. */
export function findBrowserPid(port: number): number | null {
  for (const pid of allPids()) {
    const args = cmdline(pid);
    if (args.includes(`--remote-debugging-port=${port}`) && !args.some((a) => a.startsWith('--type='))) return pid;
  }
  return null;
}

/** The browser and all its descendants. */
export function chromiumProcesses(browserPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const parent = parentOf(pid);
    if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const out: number[] = [];
  const stack = [browserPid];
  while (stack.length) {
    const pid = stack.pop() as number;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

function statusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

/** One process's memory now; null once it is gone. `pss` reads smaps_rollup (slower: walks the page tables). */
export function processMemory(pid: number, pss = true): ProcessMemory | null {
  const status = read(`/proc/${pid}/status`);
  if (!status) return null;
  const typeArg = cmdline(pid).find((a) => a.startsWith('--type='));
  const rollup = pss ? read(`/proc/${pid}/smaps_rollup`) : null;
  const pssMatch = rollup ? /^Pss:\s+(\d+) kB/m.exec(rollup) : null;
  return {
    pid,
    type: typeArg ? typeArg.slice('--type='.length) : 'browser',
    rssKb: statusKb(status, 'VmRSS'),
    hwmKb: statusKb(status, 'VmHWM'),
    pssKb: pssMatch ? Number(pssMatch[1]) : null,
  };
}
