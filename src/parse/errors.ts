// The one parse error: a message with nothing usable in it (no headers and no readable text).

/** Thrown by parsePost when the bytes hold neither a header section nor readable text; permanent, never retried. */
export class UnreadableMailError extends Error {
  override readonly name = 'UnreadableMailError';
  constructor(
    message: string,
    /** Size of the raw message in bytes, for the failed-set record. */
    readonly size: number,
  ) {
    super(message);
  }
}
