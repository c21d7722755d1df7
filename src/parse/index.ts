// The parse stage: raw mail → Post. The rest of listwarden imports parsing only from here.

export { parsePost, readPostHead, type ParseOptions, type PostHead } from './parse-post.js';
export { UnreadableMailError } from './errors.js';
export { normalizeSubject } from './subject.js';
export { splitBody, ownTextOf } from './quotes.js';
export { splitHtml } from './html.js';
