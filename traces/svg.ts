/**
 * A model's picture of a state as a standalone SVG file (`dnsmc export
 * --format svg --step N`): the first `svg` element of the picture, written
 * under the same allow-list of tags and attributes the viewer builds
 * pictures with, every text and attribute value escaped, so that the file
 * can only ever be shown, never run. Under the drawing, dnsmc writes a
 * caption of its own (the trace's headline, the step and what breaks), so
 * that the file stands alone in a document: fixed `g`, `line` and `text`
 * elements written the same way, every text escaped, the drawing's viewBox
 * (and height) grown to hold it.
 */
import type { PictureNode } from '../checker/package/presentation.js';
import { wrapWords } from './format.js';
import { traceTitle } from './text.js';
import { isObj, type Trace } from './trace.js';
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

/** At most this many of a trace's other broken properties are named in a caption (then "and N more"). */
export const CAPTION_OTHERS = 4;
/** A caption paragraph longer than this many characters is cut (with "…"). */
export const CAPTION_CHARS = 400;

const cut = (s: string): string => {
  const chars = [...s];
  return chars.length > CAPTION_CHARS ? `${chars.slice(0, CAPTION_CHARS - 1).join('')}…` : s;
};

/**
 * The caption of the drawing of `trace`'s state after `step`: its paragraphs,
 * (1) the headline (model, variant, what breaks after how many steps),
 * (2) `Step N of M` with that step's narration, (3) where and how the
 * trace's property breaks, then the other properties that break along it.
 */
export function svgCaption(trace: Trace, step: number): string[] {
  const n = trace.steps.length;
  const narration = step === 0 ? 'the initial state' : (trace.steps[step - 1]?.narration ?? '');
  const out = [traceTitle(trace), `Step ${step} of ${n}: ${narration}`];
  const main = trace.breaks.filter((b) => b.property === trace.property);
  const others = trace.breaks.filter((b) => b.property !== trace.property);
  for (const b of main) out.push(`${b.kind === 'deadlock' ? 'deadlock' : b.property} breaks at step ${b.step}: ${b.explanation}`);
  for (const b of others.slice(0, CAPTION_OTHERS)) out.push(`${b.property} also breaks, at step ${b.step}: ${b.explanation}`);
  if (others.length > CAPTION_OTHERS) out.push(`and ${others.length - CAPTION_OTHERS} more properties break`);
  return out.map(cut);
}

/** Caption type: 12 px text on 16 px lines, 10 px of margin, an average character taken as 0.6 em wide (so lines rather fall short than overflow). */
const FONT = 12;
const LEADING = 16;
const MARGIN = 10;
const CHAR_EM = 0.6;

/** A number of user units, rounded for the file. */
const units = (v: number): number => Math.round(v * 100) / 100;

/** A length attribute as a number of pixels (`166`, `"166"`, `"166px"`), or NaN (a percentage, another unit, nothing). */
function pixels(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\s*\d+(\.\d+)?\s*(px)?\s*$/.test(v)) return Number.parseFloat(v);
  return Number.NaN;
}

/**
 * The root `svg` node with `caption` drawn under its drawing: the viewBox is
 * grown downwards by the caption's height (a drawing without a viewBox is
 * taken as its pixel width and height, else as an svg's default 300 × 150),
 * a pixel height grown in proportion, and the lines wrapped to the width.
 */
function withCaption(svg: PictureNode, caption: readonly string[]): PictureNode {
  const attrs: Record<string, string | number> = isObj(svg.attrs) ? { ...svg.attrs } : {};
  const width = pixels(attrs.width);
  const height = pixels(attrs.height);
  const vb =
    typeof attrs.viewBox === 'string'
      ? attrs.viewBox
          .trim()
          .split(/[\s,]+/)
          .map(Number)
      : [];
  const [x, y, w, h] = vb.length === 4 && vb.every(Number.isFinite) && vb[2] > 0 && vb[3] > 0 ? vb : [0, 0, width > 0 ? width : 300, height > 0 ? height : 150];
  // User units per pixel, so that the caption reads at 12 px whatever the drawing's scale.
  const scale = width > 0 ? w / width : 1;
  const chars = Math.max(20, Math.floor((w / scale - 2 * MARGIN) / (FONT * CHAR_EM)));
  const top = y + h;
  const children: PictureNode[] = [
    { tag: 'line', attrs: { x1: units(x), y1: units(top + MARGIN / 2), x2: units(x + w), y2: units(top + MARGIN / 2), stroke: '#d0d7de' } },
  ];
  let baseline = top + MARGIN / 2;
  caption.forEach((paragraph, i) => {
    for (const text of wrapWords(paragraph, chars)) {
      baseline += LEADING * scale;
      const a: Record<string, string | number> = {
        x: units(x + MARGIN * scale),
        y: units(baseline),
        'font-size': units(FONT * scale),
        fill: i === 0 ? '#1f2328' : '#424a53',
      };
      if (i === 0) a['font-weight'] = '600';
      children.push({ tag: 'text', attrs: a, text });
    }
  });
  const grown = baseline + MARGIN * scale - top;
  attrs.viewBox = `${units(x)} ${units(y)} ${units(w)} ${units(h + grown)}`;
  if (height > 0) attrs.height = units((height * (h + grown)) / h);
  const kids = Array.isArray(svg.children) ? svg.children : [];
  return { ...svg, attrs, children: [...kids, { tag: 'g', class: 'dnsmc-caption', attrs: { 'data-test': 'caption', 'font-family': 'sans-serif' }, children }] };
}

/**
 * The picture's drawing as an SVG document, or undefined when the picture
 * has no `svg` element; with `caption` (see {@link svgCaption}), those
 * paragraphs are drawn under it.
 */
export function pictureSvg(picture: PictureNode, caption?: readonly string[]): string | undefined {
  const svg = firstSvg(picture);
  if (!svg) return undefined;
  const out: string[] = [];
  write(caption && caption.length > 0 ? withCaption(svg, caption) : svg, 0, out);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${out.join('')}\n`;
}
