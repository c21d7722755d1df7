// The shared model: plain types every stage speaks.
export * from './post.js';
export * from './flag.js';
export * from './thread.js';
