import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { heldWriteLocks, holdWriteLock, releaseWriteLock, withWriteLock, writeLockName, writtenElsewhere } from '../../../src/storage/locks.ts';

/** Exclusive Web Locks as the spec has them (request, ifAvailable, query), for one origin, in memory. */
class FakeLockManager {
  #held = new Set<string>();
  #waiting = new Map<string, (() => void)[]>();

  async request<T>(name: string, ...args: unknown[]): Promise<T> {
    const options = (args.length === 2 ? args[0] : {}) as { ifAvailable?: boolean };
    const callback = args.at(-1) as (lock: { name: string } | null) => T | Promise<T>;
    if (this.#held.has(name)) {
      if (options.ifAvailable) return callback(null);
      await new Promise<void>((resolve) => this.#waiting.set(name, [...(this.#waiting.get(name) ?? []), resolve]));
    }
    this.#held.add(name);
    try {
      return await callback({ name });
    } finally {
      this.#held.delete(name);
      const next = this.#waiting.get(name)?.shift();
      next?.();
    }
  }

  async query() {
    return { held: [...this.#held].map((name) => ({ name })), pending: [] };
  }
}

/** Another tab's hold on a lock: returns its release. */
function holdElsewhere(manager: FakeLockManager, name: string): Promise<() => void> {
  return new Promise((taken) => void manager.request(name, () => new Promise<void>((release) => taken(release))));
}

describe('write locks (what keeps the sweep off a write in progress)', () => {
  let manager: FakeLockManager;
  const original = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  beforeEach(() => {
    manager = new FakeLockManager();
    Object.defineProperty(globalThis, 'navigator', { value: { locks: manager }, configurable: true });
  });
  afterEach(() => {
    if (original) Object.defineProperty(globalThis, 'navigator', original);
    else Reflect.deleteProperty(globalThis, 'navigator');
  });

  it('holds a tensor set until released, and shows it as held meanwhile', async () => {
    expect(await holdWriteLock('tensors', 'fp:pp')).toBe(true);
    expect(await heldWriteLocks()).toEqual(new Set([writeLockName('tensors', 'fp:pp')]));
    expect(await holdWriteLock('tensors', 'fp:pp')).toBe(true); // this thread holds it already
    releaseWriteLock('tensors', 'fp:pp');
    await Promise.resolve();
    expect(await heldWriteLocks()).toEqual(new Set());
  });

  it('does not take a set another tab is writing, and tells it apart from its own', async () => {
    const release = await holdElsewhere(manager, writeLockName('tensors', 'fp:pp'));
    expect(await holdWriteLock('tensors', 'fp:pp')).toBe(false);
    expect(await writtenElsewhere('tensors', 'fp:pp')).toBe(true);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(await writtenElsewhere('tensors', 'fp:pp')).toBe(false);
    expect(await holdWriteLock('tensors', 'fp:pp')).toBe(true);
    expect(await writtenElsewhere('tensors', 'fp:pp')).toBe(false); // held here
    releaseWriteLock('tensors', 'fp:pp');
  });

  it('holds a dataset for the whole write, and a second writer of it waits its turn', async () => {
    const order: string[] = [];
    let finishFirst = () => {};
    const first = withWriteLock('dataset', 'd1', async () => {
      order.push('first starts');
      expect(await heldWriteLocks()).toContain(writeLockName('dataset', 'd1'));
      await new Promise<void>((resolve) => (finishFirst = resolve));
      order.push('first ends');
    });
    await new Promise((r) => setTimeout(r, 0));
    const second = withWriteLock('dataset', 'd1', async () => void order.push('second'));
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual(['first starts']);
    finishFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first starts', 'first ends', 'second']);
    expect(await heldWriteLocks()).toEqual(new Set());
  });

  it('without Web Locks (an old browser) writes go ahead and nothing is reported held', async () => {
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true });
    expect(await holdWriteLock('tensors', 'x')).toBe(true);
    expect(await withWriteLock('dataset', 'd', async () => 42)).toBe(42);
    expect(await heldWriteLocks()).toEqual(new Set());
    releaseWriteLock('tensors', 'x');
  });
});
