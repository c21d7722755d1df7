// The soak's fault injector: one fault at a time, in shuffled rounds so every kind happens, each undone before the next.

export const FAULT_KINDS = ['restart-dovecot', 'restart-redis', 'smtp-outage', 'kill-worker', 'kill-poller', 'broken-config'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One fault as it happened, for the report. */
export interface FaultEvent {
  kind: FaultKind;
  /** ms since the soak started. */
  at: number;
  /** How long the fault lasted (down time, or until the process was back). */
  ms: number;
  detail: string;
  /** Set when undoing the fault went wrong (the soak stops injecting then). */
  error?: string;
}

/** What the injector needs from the soak: each fault does its damage and undoes it, returning a detail line. */
export type FaultActions = Record<FaultKind, () => Promise<string>>;

export interface FaultInjectorOptions {
  actions: FaultActions;
  random: () => number;
  /** Pause between faults, ms (random in the range). */
  gapMs: [number, number];
  /** Only these kinds (default all). */
  kinds?: readonly FaultKind[];
  startedAt: number;
  log?: (line: string) => void;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export class FaultInjector {
  readonly events: FaultEvent[] = [];
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly o: FaultInjectorOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Lets the fault in hand finish (and be undone), then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const kinds = this.o.kinds ?? FAULT_KINDS;
    let round: FaultKind[] = [];
    while (!this.stopped) {
      const [lo, hi] = this.o.gapMs;
      await this.sleep(lo + this.o.random() * (hi - lo));
      if (this.stopped) break;
      if (!round.length) round = shuffled(kinds, this.o.random);
      const kind = round.shift()!;
      const t0 = Date.now();
      this.o.log?.(`fault: ${kind}`);
      try {
        const detail = await this.o.actions[kind]();
        this.events.push({ kind, at: t0 - this.o.startedAt, ms: Date.now() - t0, detail });
        this.o.log?.(`fault: ${kind} done (${detail}, ${Date.now() - t0} ms)`);
      } catch (err) {
        const message = (err as Error).message;
        this.events.push({ kind, at: t0 - this.o.startedAt, ms: Date.now() - t0, detail: 'failed', error: message });
        this.o.log?.(`fault: ${kind} could not be undone: ${message}; no more faults`);
        break;
      }
    }
  }
}
