/** Compact append-only typed arrays (detections of thousands of images without per-object overhead). */

type TypedArrayOf<T> = T extends 'float64' ? Float64Array : Uint32Array;

/** An append-only Float64Array or Uint32Array that doubles its capacity when full. */
export class GrowableArray<K extends 'float64' | 'uint32'> {
  #values: TypedArrayOf<K>;
  #length = 0;
  readonly #kind: K;

  constructor(kind: K, initialCapacity = 16) {
    this.#kind = kind;
    this.#values = this.#allocate(Math.max(1, initialCapacity));
  }

  get length(): number {
    return this.#length;
  }

  /** Appends one value. */
  push(value: number): void {
    if (this.#length === this.#values.length) {
      const grown = this.#allocate(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#length++] = value;
  }

  /** The values so far, as a view (valid until the next push). */
  view(): TypedArrayOf<K> {
    return this.#values.subarray(0, this.#length) as TypedArrayOf<K>;
  }

  #allocate(capacity: number): TypedArrayOf<K> {
    return (this.#kind === 'float64' ? new Float64Array(capacity) : new Uint32Array(capacity)) as TypedArrayOf<K>;
  }
}
