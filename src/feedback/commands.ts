// The commands a moderator may answer an alert with, read from the first line of their own words.

export type FeedbackCommand = 'confirm' | 'false-positive' | 'mute-thread' | 'ignore-sender';

const PATTERNS: [RegExp, FeedbackCommand][] = [
  [/^confirm(ed|s)?$/, 'confirm'],
  [/^(false[\s-]*positive|fp)$/, 'false-positive'],
  [/^mute(\s+(this\s+)?thread)?$/, 'mute-thread'],
  [/^ignore(\s+(this\s+)?sender)?$/, 'ignore-sender'],
];

/**
 * The command on the first non-empty line that is not quoted, or undefined. Only a line that is the command
 * alone (any case, trailing punctuation allowed) counts, so "I don't think we should confirm" does not.
 */
export function parseFeedbackCommand(text: string): FeedbackCommand | undefined {
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.replace(/[\u200B-\u200F\uFEFF]/g, '').trim();
    if (!line) continue;
    if (line.startsWith('>')) return undefined;
    const words = line.toLowerCase().replace(/[.!。！]+$/, '').trim();
    for (const [re, cmd] of PATTERNS) if (re.test(words)) return cmd;
    return undefined;
  }
  return undefined;
}

export const COMMAND_WORDS: Record<FeedbackCommand, string> = {
  confirm: 'confirmed',
  'false-positive': 'marked as a false positive',
  'mute-thread': 'thread muted',
  'ignore-sender': 'sender ignored',
};
