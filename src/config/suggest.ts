// "Did you mean …?": the known word nearest to a mistyped one.

/** Edit distance (insert, delete, substitute; swapping two neighbours counts as one). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The nearest candidate, if it is near enough to be what was meant (case and separators count little). */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const fold = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const w = fold(word);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const f = fold(c);
    // A word cut short (`off-topic` for `off-topic-thread`) is as good as one typo.
    const cut = w.length >= 4 && (f.startsWith(w) || w.startsWith(f)) ? 1 : Infinity;
    const score = Math.min(editDistance(w, f), cut);
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(w.length, fold(best).length) / 3));
  return bestScore <= allowed ? best : undefined;
}
