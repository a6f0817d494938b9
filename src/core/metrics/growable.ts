/** Compact append-only typed arrays: per-sample results of large runs without per-value overhead. */

const CONSTRUCTORS = { float64: Float64Array, float32: Float32Array, int32: Int32Array, uint32: Uint32Array, uint8: Uint8Array } as const;
type Kind = keyof typeof CONSTRUCTORS;
export type TypedArrayOf<K extends Kind> = InstanceType<(typeof CONSTRUCTORS)[K]>;

/** An append-only typed array that doubles its capacity when full. */
export class GrowableArray<K extends Kind> {
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

  /** The values so far, as a copy of their own. */
  copy(): TypedArrayOf<K> {
    return this.#values.slice(0, this.#length) as TypedArrayOf<K>;
  }

  #allocate(capacity: number): TypedArrayOf<K> {
    return new CONSTRUCTORS[this.#kind](capacity) as TypedArrayOf<K>;
  }
}
