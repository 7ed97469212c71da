/**
 * Trace exports for postmortems and other tools, one module per concept:
 * lanes.ts (who acts, which resources a step touches), markdown.ts,
 * mermaid.ts and itf.ts (ITF, with a reader). This module only gathers
 * them for callers that import everything at once.
 */
export type { Lane, ResourceLanes } from '../checker/package.js';
export { laneOptionsFor, sequenceOf, type LaneOptions, type Sequence, type SequenceLane, type SequenceStep } from './lanes.js';
export { markdownText, toMarkdown, type MarkdownOptions } from './markdown.js';
export { mermaidText, toMermaid } from './mermaid.js';
export { ITF_FORMAT_DESCRIPTION, toItf, traceFromItf, type ItfState, type ItfTrace, type ItfValue } from './itf.js';
export { loopOf, traceTitle } from './text.js';
