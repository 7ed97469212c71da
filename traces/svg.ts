/**
 * A model's picture of a state as a standalone SVG file (`dnsmc export
 * --format svg --step N`): the first `svg` element of the picture, written
 * under the same allow-list of tags and attributes the viewer builds
 * pictures with, every text and attribute value escaped, so that the file
 * can only ever be shown, never run.
 */
import type { PictureNode } from '../checker/package/presentation.js';
import { ATTRS as PICTURE_ATTRS, SVG_TAGS as PICTURE_SVG_TAGS, DATA_ATTR, PAGE_ONLY_ATTRS, PAGE_ONLY_TAGS, RESOURCE } from './picture-allow.js';

/** The tags a standalone picture keeps: the one allow-list's SVG tags, less the markers the page alone draws. */
export const SVG_TAGS: ReadonlySet<string> = new Set(PICTURE_SVG_TAGS.filter((t) => !PAGE_ONLY_TAGS.has(t)));
/** Presentation attributes only: the one allow-list's, less those of markers and HTML. */
export const ATTRS: ReadonlySet<string> = new Set(PICTURE_ATTRS.filter((a) => !PAGE_ONLY_ATTRS.has(a)));
const MAX_DEPTH = 64;

const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);

/** The first `svg` node of a picture (depth first), if any. */
export function firstSvg(n: PictureNode, depth = 0): PictureNode | undefined {
  if (depth > MAX_DEPTH || n === null || typeof n !== 'object') return undefined;
  if (n.tag === 'svg') return n;
  for (const c of n.children ?? []) {
    const found = firstSvg(c, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function write(n: PictureNode, depth: number, out: string[]): void {
  if (depth > MAX_DEPTH || n === null || typeof n !== 'object' || typeof n.tag !== 'string' || !SVG_TAGS.has(n.tag)) return;
  let open = `<${n.tag}`;
  if (depth === 0) open += ' xmlns="http://www.w3.org/2000/svg"';
  if (typeof n.class === 'string' && n.class.trim() !== '') open += ` class="${escapeXml(n.class.trim())}"`;
  for (const [name, v] of Object.entries(n.attrs ?? {})) {
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    const value = String(v);
    if (DATA_ATTR.test(name) || (ATTRS.has(name) && !RESOURCE.test(value))) open += ` ${name}="${escapeXml(value)}"`;
  }
  const text = typeof n.text === 'string' || typeof n.text === 'number' ? escapeXml(String(n.text)) : '';
  const kids: string[] = [];
  for (const c of Array.isArray(n.children) ? n.children : []) write(c, depth + 1, kids);
  if (text === '' && kids.length === 0) out.push(`${open}/>`);
  else out.push(`${open}>${text}${kids.join('')}</${n.tag}>`);
}

/** The picture's drawing as an SVG document, or undefined when the picture has no `svg` element. */
export function pictureSvg(picture: PictureNode): string | undefined {
  const svg = firstSvg(picture);
  if (!svg) return undefined;
  const out: string[] = [];
  write(svg, 0, out);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${out.join('')}\n`;
}
