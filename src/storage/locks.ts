/**
 * Writes that take many transactions (a dataset import, a tensor set) hold a Web Lock while they
 * run, so that the sweep of unfinished writes (at start-up, and whenever the dataset list refreshes,
 * in this tab or another) leaves them alone: it removes only what nobody is writing any more, i.e.
 * what a reload, a closed tab or a crash left. Locks die with their tab or worker.
 */
export type WriteKind = 'dataset' | 'tensors';

export const writeLockName = (kind: WriteKind, id: string) => `quantlens-write:${kind}:${id}`;

const locks = () => globalThis.navigator?.locks;

/** Runs `work` holding the write lock (waiting for another writer of the same thing to finish first). */
export async function withWriteLock<T>(kind: WriteKind, id: string, work: () => Promise<T>): Promise<T> {
  const manager = locks();
  return manager ? manager.request(writeLockName(kind, id), () => work()) : work();
}

/** Releases of locks taken with `holdWriteLock`, by lock name (this thread's). */
const releases = new Map<string, () => void>();

/**
 * Takes the write lock until `releaseWriteLock` (for writes that begin and end in different calls).
 * False when another tab or worker holds it (it is writing the same thing now).
 */
export async function holdWriteLock(kind: WriteKind, id: string): Promise<boolean> {
  const manager = locks();
  const name = writeLockName(kind, id);
  if (!manager) return true;
  if (releases.has(name)) return true; // this thread holds it already
  return new Promise<boolean>((resolve, reject) => {
    manager.request(name, { ifAvailable: true }, (lock) => {
      if (!lock) return resolve(false);
      return new Promise<void>((release) => {
        releases.set(name, release);
        resolve(true);
      });
    }).catch(reject);
  });
}

export function releaseWriteLock(kind: WriteKind, id: string): void {
  const name = writeLockName(kind, id);
  releases.get(name)?.();
  releases.delete(name);
}

/** True when another tab or worker holds this write lock now (holds taken here with `holdWriteLock` excluded). */
export async function writtenElsewhere(kind: WriteKind, id: string): Promise<boolean> {
  const name = writeLockName(kind, id);
  return !releases.has(name) && (await heldWriteLocks()).has(name);
}

/** Names of the write locks held anywhere on this origin now. */
export async function heldWriteLocks(): Promise<Set<string>> {
  const snapshot = await locks()?.query();
  return new Set((snapshot?.held ?? []).flatMap((lock) => (lock.name ? [lock.name] : [])));
}
