/**
 * The one allow-list pictures are drawn under, in the viewer page and in a
 * standalone SVG (`export --format svg`): the tags and presentation
 * attributes a model's picture may use. No event handlers, no links or
 * sources, no style, no ids; `data-*` attributes are allowed besides. The
 * page gets these lists in its data (traces/viewer.ts), so that the page
 * script and the export can never drift apart.
 */

/** HTML tags of a picture (the viewer only: a standalone SVG has none). */
export const HTML_TAGS: readonly string[] = ['div', 'span', 'h3', 'h4', 'p', 'ul', 'li', 'table', 'tr', 'td', 'th'];
/** SVG tags of a picture. */
export const SVG_TAGS: readonly string[] = ['svg', 'g', 'rect', 'line', 'path', 'text', 'title', 'circle', 'polygon', 'marker', 'defs'];
/** Presentation attributes of a picture. */
export const ATTRS: readonly string[] = [
  'title',
  'role',
  'aria-label',
  'colspan',
  'rowspan',
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'width',
  'height',
  'viewBox',
  'd',
  'points',
  'transform',
  'fill',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
  'opacity',
  'fill-opacity',
  'stroke-opacity',
  'text-anchor',
  'dominant-baseline',
  'font-size',
  'font-weight',
  'font-family',
  'text-decoration',
  'refX',
  'refY',
  'markerWidth',
  'markerHeight',
  'orient',
  'preserveAspectRatio',
];

/** The tags a standalone SVG leaves out: markers, which the page alone draws. */
export const PAGE_ONLY_TAGS: ReadonlySet<string> = new Set(['marker', 'defs']);
/** The attributes a standalone SVG leaves out: the markers' and the HTML-only ones. */
export const PAGE_ONLY_ATTRS: ReadonlySet<string> = new Set(['refX', 'refY', 'markerWidth', 'markerHeight', 'orient', 'title', 'colspan', 'rowspan']);

/** `data-*` attributes, allowed besides {@link ATTRS}. */
export const DATA_ATTR = /^data-[a-z0-9-]+$/;
/** A presentation value that names a resource (`url(...)`) is dropped even on an allowed attribute. */
export const RESOURCE = /url\s*\(/i;
