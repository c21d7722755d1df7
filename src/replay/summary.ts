// Replay's running tally: what was read, parsed, skipped (and why), and flagged.

export class ReplaySummary {
  read = 0;
  parsed = 0;
  duplicates = 0;
  threads = 0;
  readonly skipped = new Map<string, number>();
  /** The first few sources per skip reason, so a moderator can find the message. */
  readonly skippedExamples = new Map<string, string[]>();
  readonly flagsByRule = new Map<string, number>();
  readonly actions = { alert: 0, digest: 0 };
  readonly ruleFailures = new Map<string, number>();
  /** ms spent in each rule (the pipeline's RuleRunner), so a moderator sees what a config rule costs. */
  ruleMs: ReadonlyMap<string, number> = new Map();
  private readonly started = performance.now();

  skip(reason: string, source: string): void {
    // Reasons group by their text without the per-message details after a colon-free prefix.
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
    const ex = this.skippedExamples.get(reason) ?? [];
    if (ex.length < 3) ex.push(source);
    this.skippedExamples.set(reason, ex);
  }

  flagTotal(): number {
    return [...this.flagsByRule.values()].reduce((a, b) => a + b, 0);
  }

  elapsedSeconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  toText(): string {
    const secs = this.elapsedSeconds();
    const skippedTotal = [...this.skipped.values()].reduce((a, b) => a + b, 0);
    const lines = [
      'listwarden replay summary',
      `  posts read:     ${this.read}`,
      `  parsed:         ${this.parsed}`,
      `  skipped:        ${skippedTotal}`,
    ];
    for (const [reason, n] of [...this.skipped].sort((a, b) => b[1] - a[1])) {
      lines.push(`    ${n} × ${reason} (e.g. ${(this.skippedExamples.get(reason) ?? []).join(', ')})`);
    }
    if (this.duplicates) lines.push(`  duplicates:     ${this.duplicates} (same Message-ID seen before; not judged again)`);
    lines.push(`  threads:        ${this.threads}`);
    lines.push(`  flags:          ${this.flagTotal()} (alert ${this.actions.alert}, digest ${this.actions.digest})`);
    for (const [rule, n] of [...this.flagsByRule].sort()) lines.push(`    ${rule}: ${n}`);
    for (const [rule, n] of this.ruleFailures) lines.push(`  rule problems:  ${rule}: ${n} (see the log)`);
    lines.push(`  time:           ${secs.toFixed(2)} s, ${(this.read / Math.max(secs, 1e-6)).toFixed(0)} posts/s`);
    const byTime = [...this.ruleMs].filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1]);
    if (byTime.length) {
      const total = byTime.reduce((a, [, ms]) => a + ms, 0);
      lines.push(`  rule time:      ${(total / 1000).toFixed(2)} s (${((100 * total) / 1000 / Math.max(secs, 1e-6)).toFixed(0)}% of the run)`);
      for (const [rule, ms] of byTime) lines.push(`    ${rule}: ${(ms / 1000).toFixed(2)} s, ${((1000 * ms) / Math.max(this.parsed, 1)).toFixed(0)} µs/post`);
    }
    lines.push(`  memory:         peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    return lines.join('\n') + '\n';
  }

  toJSON(): object {
    return {
      read: this.read,
      parsed: this.parsed,
      skipped: Object.fromEntries(this.skipped),
      duplicates: this.duplicates,
      threads: this.threads,
      flagsByRule: Object.fromEntries(this.flagsByRule),
      actions: this.actions,
      seconds: Number(this.elapsedSeconds().toFixed(3)),
      ruleSeconds: Object.fromEntries([...this.ruleMs].map(([rule, ms]) => [rule, Number((ms / 1000).toFixed(3))])),
    };
  }
}
