// A bounded memo keyed by a stretch of a text (text, start, end), so tokenizers look words up without slicing them.

/**
 * Words repeat heavily across posts (Zipf): the rules' tokenizers turn each word as written into something derived
 * from it (its norm, its topic term). Keyed by the stretch itself, a word already seen costs a hash over its
 * characters and one comparison, with no string allocated for it; only a new word is sliced and computed.
 * Open addressing, at most half full. The table starts small and doubles as words come (a list's vocabulary is a
 * few thousand words: a small table stays in cache between posts, where parsing evicts a big one); at `maxBits`
 * it starts over instead, so its memory stays bounded on any archive.
 */
export class WordTable<V> {
  private hashes: Int32Array;
  private keys: (string | undefined)[];
  private values: (V | undefined)[];
  private mask: number;
  private size = 0;

  constructor(
    private readonly compute: (word: string) => V,
    bits = 10,
    private readonly maxBits = 17,
  ) {
    this.hashes = new Int32Array(1 << bits);
    this.keys = new Array<string | undefined>(1 << bits).fill(undefined);
    this.values = new Array<V | undefined>(1 << bits).fill(undefined);
    this.mask = (1 << bits) - 1;
  }

  /** What `compute` gives for text.slice(start, end), computed once per distinct word (while it stays in the table). */
  get(text: string, start: number, end: number): V {
    let h = WordTable.SEED;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), WordTable.PRIME);
    return this.getHashed(text, start, end, h);
  }

  /** The FNV-1a step a caller uses to hash a stretch as it scans it, for getHashed. */
  static readonly SEED = 0x811c9dc5 | 0;
  static readonly PRIME = 0x01000193;

  /** As get(), with the stretch's hash (h = Math.imul(h ^ charCode, PRIME) over its code units from SEED) given. */
  getHashed(text: string, start: number, end: number, h: number): V {
    const len = end - start;
    const mask = this.mask;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const key = this.keys[slot];
      if (key === undefined) break;
      if (this.hashes[slot] === h && key.length === len && sameChars(key, text, start, len)) return this.values[slot] as V;
    }
    const word = text.slice(start, end);
    const value = this.compute(word);
    if (this.size >= (this.mask + 1) >>> 1) this.makeRoom();
    this.insert(h, word, value);
    return value;
  }

  private insert(h: number, key: string, value: V): void {
    let slot = h & this.mask;
    while (this.keys[slot] !== undefined) slot = (slot + 1) & this.mask;
    this.hashes[slot] = h;
    this.keys[slot] = key;
    this.values[slot] = value;
    this.size++;
  }

  /** Doubles the table, or empties it once it is as big as it may get. */
  private makeRoom(): void {
    const slots = this.mask + 1;
    if (slots >= 1 << this.maxBits) {
      this.keys.fill(undefined);
      this.values.fill(undefined);
      this.size = 0;
      return;
    }
    const { hashes, keys, values } = this;
    this.hashes = new Int32Array(slots * 2);
    this.keys = new Array<string | undefined>(slots * 2).fill(undefined);
    this.values = new Array<V | undefined>(slots * 2).fill(undefined);
    this.mask = slots * 2 - 1;
    this.size = 0;
    for (let i = 0; i < slots; i++) {
      const key = keys[i];
      if (key !== undefined) this.insert(hashes[i] ?? 0, key, values[i] as V);
    }
  }
}

/** key === text.slice(start, start + len), for a key of length len, compared in place (startsWith is a builtin call). */
function sameChars(key: string, text: string, start: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (key.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}
