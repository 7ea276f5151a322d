// A memo of a pure function's answers by key, bounded: when it holds `limit` answers it starts
// over (the keys a hot path asks for come back at once; a flood of distinct keys costs memory
// for `limit` answers at most, never more).
export class BoundedMemo<K, V> {
  readonly #answers = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get(key: K, work: (key: K) => V): V {
    if (this.#answers.has(key)) return this.#answers.get(key) as V;
    const answer = work(key);
    if (this.#answers.size >= this.limit) this.#answers.clear();
    this.#answers.set(key, answer);
    return answer;
  }

  get size(): number {
    return this.#answers.size;
  }
}
