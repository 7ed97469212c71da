export * from './trace.js';
export { formatTrace, headline, showValue, changes, pathName, type FormatOptions } from './text.js';
export { writeFileAtomic } from './io.js';
