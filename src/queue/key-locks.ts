// In-process locks by key (jobs of one worker process that touch the same thread take turns instead of colliding), and slots.

/**
 * Holders of sets of keys. `acquire` waits while any of its keys is held by another holder, then holds them all
 * until released. A holder never waits while holding, so there is no deadlock.
 */
export class KeyLocks {
  private readonly held = new Map<string, Promise<void>>();

  /** How many keys are held now (for tests). */
  get size(): number {
    return this.held.size;
  }

  async acquire(keys: Iterable<string>): Promise<() => void> {
    const wanted = [...new Set(keys)];
    for (;;) {
      const busy = wanted.map((k) => this.held.get(k)).filter((p): p is Promise<void> => p !== undefined);
      if (busy.length === 0) break;
      await Promise.all(busy);
    }
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    for (const k of wanted) this.held.set(k, done);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const k of wanted) if (this.held.get(k) === done) this.held.delete(k);
      release();
    };
  }
}

/** A counting semaphore: at most `size` holders at once; the others wait in turn (first come, first served). */
export class Slots {
  private held = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {}

  async acquire(): Promise<() => void> {
    if (this.held < this.size) this.held++;
    // A slot freed is handed straight to the next waiter (held stays the same).
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.held--;
    };
  }
}
