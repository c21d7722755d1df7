// The Post: one message to the list, as parse hands it to every later stage.

/** A part of a post's body, in reading order. */
export type SegmentKind =
  | 'own' // the author's own words
  | 'quote' // text quoted from an earlier post
  | 'attribution' // "On … wrote:", Outlook header blocks, 「…さんは書きました:」
  | 'signature' // after "-- " or a recognised sign-off block
  | 'code'; // patches, diffs, code blocks, command output: rules skip these

export interface Segment {
  kind: SegmentKind;
  text: string;
  /** For quotes: nesting depth (1 for "> ", 2 for "> > ", …; 1 for Outlook blocks and HTML blockquote). */
  depth?: number;
  /** For quotes and attributions: who wrote the quoted words, as the attribution line names them. */
  quotedAuthor?: string;
}

export interface Address {
  name?: string;
  address?: string;
}

export interface Post {
  /** Message-ID as in the header, with angle brackets; synthesized `<sha256-hex@listwarden.invalid>` when absent. */
  messageId: string;
  /** True when messageId was synthesized from the raw bytes. */
  messageIdSynthetic: boolean;
  inReplyTo?: string;
  /** Message-IDs from References, oldest first, with angle brackets. */
  references: string[];
  /** The List-Id header's id part (`tlug.tlug.example.jp`), lower-cased, when present. */
  listId?: string;
  from: Address;
  /** A display form of the author: `Name <address>` or whichever part is known. */
  author: string;
  /** The Date header, when present and valid. */
  date?: Date;
  subject: string;
  /** Subject with Re:/Fwd:/AW:/SV:/Réf:/返信:/[list tags] and whitespace folded away, lower-cased. */
  normalizedSubject: string;
  /** For "New topic (was: Old topic)": the old topic, normalized. The post starts a new thread. */
  wasSubject?: string;
  /** The body in reading order. */
  segments: Segment[];
  /** The author's own words: the 'own' segments joined by blank lines. Evidence is always a substring of this. */
  ownText: string;
  /** All quoted text, joined (for rules that want it; never scored against the author). */
  quotedText: string;
  signature?: string;
  /** Headers, lower-cased names, repeated headers joined by "\n". */
  headers: Record<string, string>;
  /** Size of the raw message in bytes. */
  size: number;
  /** True when the body came only from an HTML part. */
  htmlOnly: boolean;
  /** Attachments seen (never their content). */
  attachments: { filename?: string; contentType: string; size: number }[];
  /** What parse had to guess or repair (unknown charset, mislabelled charset, truncated part, …). */
  warnings: string[];
}
