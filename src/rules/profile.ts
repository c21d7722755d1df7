// The list profile: what a list is about, from its description and terms, refined from its own archive.
// (Placeholder shape; the off-topic work owns this file and may extend it, keeping these names.)

import type { ListConfig } from '../config/types.js';

export interface ListProfile {
  list: string;
  /** term → weight */
  terms: Map<string, number>;
  /** Posts the profile learned from (0 when it comes from config alone). */
  trainedOn: number;
}

export function profileFromConfig(list: ListConfig): ListProfile {
  const terms = new Map<string, number>();
  for (const t of list.terms) terms.set(t.toLowerCase(), 1);
  return { list: list.id, terms, trainedOn: 0 };
}
