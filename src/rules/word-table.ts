// A bounded memo keyed by a stretch of a text (text, start, end), so tokenizers look words up without slicing them.

/**
 * Words repeat heavily across posts (Zipf): the rules' tokenizers turn each word as written into something derived
 * from it (its norm, its topic term). Keyed by the stretch itself, a word already seen costs two hashes over its
 * characters and one slot read, with no string allocated for it; only a new word is sliced and computed.
 *
 * A slot is matched by a 64-bit fingerprint of the stretch (two independent 32-bit hashes) and its length, not by
 * comparing characters: reading the stored key back (a string elsewhere on the heap) cost more than all the rest of
 * a lookup. Two different words of one length would have to agree on both hashes to be confused; with a table of at
 * most 2^17 words that chance is below 10^-9 per table, and the worst it could do is read one word as another.
 * Open addressing, at most half full. The table starts small and doubles as words come (a list's vocabulary is a
 * few thousand words: a small table stays in cache between posts, where parsing evicts a big one); at `maxBits`
 * it starts over instead, so its memory stays bounded on any archive.
 */
export class WordTable<V> {
  /** Per slot: hash, second hash, length (0: empty). */
  private meta: Int32Array;
  private values: (V | undefined)[];
  private mask: number;
  private size = 0;

  constructor(
    private readonly compute: (word: string) => V,
    bits = 10,
    private readonly maxBits = 17,
  ) {
    this.meta = new Int32Array(3 << bits);
    this.values = new Array<V | undefined>(1 << bits).fill(undefined);
    this.mask = (1 << bits) - 1;
  }

  /** The FNV-1a step a caller uses to hash a stretch as it scans it, for getHashed. */
  static readonly SEED = 0x811c9dc5 | 0;
  static readonly PRIME = 0x01000193;
  /** The second hash's step (a multiply-xorshift), run beside the first: h2 = step2(h2, charCode) from SEED2. */
  static readonly SEED2 = 0x2545f491;
  static step2(h2: number, c: number): number {
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    return h2 ^ (h2 >>> 15);
  }

  /** What `compute` gives for text.slice(start, end), computed once per distinct word (while it stays in the table). */
  get(text: string, start: number, end: number): V {
    let h = WordTable.SEED;
    let h2 = WordTable.SEED2;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      h = Math.imul(h ^ c, WordTable.PRIME);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    return this.getHashed(text, start, end, h, h2);
  }

  /**
   * As get(), with the stretch's two hashes given (h = Math.imul(h ^ c, PRIME) from SEED, h2 = step2(h2, c) from
   * SEED2, over its code units), for a caller that hashed the stretch while scanning it.
   */
  getHashed(text: string, start: number, end: number, h: number, h2: number): V {
    const len = end - start;
    const meta = this.meta;
    const mask = this.mask;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const at = slot * 3;
      const l = meta[at + 2];
      if (l === 0) break;
      if (l === len && meta[at] === h && meta[at + 1] === h2) return this.values[slot] as V;
    }
    const value = this.compute(text.slice(start, end));
    if (this.size >= (this.mask + 1) >>> 1) this.makeRoom();
    this.insert(h, h2, len, value);
    return value;
  }

  private insert(h: number, h2: number, len: number, value: V): void {
    const meta = this.meta;
    let slot = h & this.mask;
    while (meta[slot * 3 + 2] !== 0) slot = (slot + 1) & this.mask;
    meta[slot * 3] = h;
    meta[slot * 3 + 1] = h2;
    meta[slot * 3 + 2] = len;
    this.values[slot] = value;
    this.size++;
  }

  /** Doubles the table, or empties it once it is as big as it may get. */
  private makeRoom(): void {
    const slots = this.mask + 1;
    if (slots >= 1 << this.maxBits) {
      this.meta.fill(0);
      this.values.fill(undefined);
      this.size = 0;
      return;
    }
    const { meta, values } = this;
    this.meta = new Int32Array(slots * 2 * 3);
    this.values = new Array<V | undefined>(slots * 2).fill(undefined);
    this.mask = slots * 2 - 1;
    this.size = 0;
    for (let i = 0; i < slots; i++) {
      const len = meta[i * 3 + 2] ?? 0;
      if (len !== 0) this.insert(meta[i * 3] ?? 0, meta[i * 3 + 1] ?? 0, len, values[i] as V);
    }
  }
}
