/**
 * `dnsmc export TRACE --format svg --step N`: the model's drawing of a state
 * as a standalone SVG file, written under the viewer's allow-list.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PictureNode } from '../../checker/package/presentation.js';
import { ATTRS as ALLOW_ATTRS, SVG_TAGS as ALLOW_SVG } from '../../traces/picture-allow.js';
import { ATTRS, CAPTION_OTHERS, pictureSvg, SVG_TAGS, svgCaption } from '../../traces/svg.js';
import { parseTrace, type Trace } from '../../traces/trace.js';
import { run } from '../support/cli.js';
import { xmlFault } from '../support/xml.js';

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-svg-'));
const race = join(dir, 'race.json');
const HOSTILE = '</text></svg><script>alert(1)</script> & "q" \'a\' &amp; ]]>';

const unescapeXml = (s: string): string =>
  s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] as string);
/** The caption of an exported SVG: its text lines (unescaped), each line's attributes, and the root's viewBox and height. */
function captionOf(svg: string): { lines: string[]; ys: number[]; viewBox: number[]; height: string | undefined } {
  const g = /<g class="dnsmc-caption" data-test="caption" font-family="sans-serif">(.*?)<\/g><\/svg>\n$/.exec(svg);
  if (!g) throw new Error('no caption at the end of the svg');
  const texts = [...g[1].matchAll(/<text x="[\d.]+" y="([\d.]+)" font-size="[\d.]+" fill="#[0-9a-f]{6}"(?: font-weight="600")?>([^<]*)<\/text>/g)];
  expect(g[1].replace(/<text [^>]*>[^<]*<\/text>/g, '').replace(/<line [^>]*\/>/, '')).toBe('');
  const root = /^<\?xml[^>]*>\n<svg [^>]*>/.exec(svg)![0];
  return {
    lines: texts.map((t) => unescapeXml(t[2])),
    ys: texts.map((t) => Number(t[1])),
    viewBox: / viewBox="([^"]*)"/.exec(root)![1].split(' ').map(Number),
    height: / height="([^"]*)"/.exec(root)?.[1],
  };
}

describe('export --format svg', () => {
  it('writes the race’s drawing at a step: at step 12 the alias arrow dangles to the deleted plan 1; at step 11 it reaches it', async () => {
    expect((await run(['check', '--variant', 'as-was', '--property', 'aliasResolves', '--trace-out', race])).code).toBe(1);
    const out = join(dir, 'race-12.svg');
    expect(await run(['export', race, '--format', 'svg', '--step', '12', '--out', out])).toEqual({ code: 0, stdout: `svg written to ${out}\n`, stderr: '' });
    const svg = readFileSync(out, 'utf8');
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" ')).toBe(true);
    expect(svg).toMatch(/<g class="pic-arrow dangling" data-test="pic-arrow-0" data-from="top" data-to="plan 1" data-dangling="true">/);
    expect(svg).toMatch(/<g class="pic-tree deleted changed" data-test="pic-tree-0-1" data-status="deleted">/);
    expect(svg).toContain('>plan-1 deleted @12</text>');
    const at11 = await run(['export', race, '--format', 'svg', '--step', '11']);
    expect(at11.stdout).toContain('data-to="plan 1" data-dangling="false"');
    // Without --step: the last step.
    expect((await run(['export', race, '--format', 'svg'])).stdout).toBe(`${svg}`);
  });

  it('carries a caption under the drawing: the headline (model, variant), step N of M with its narration, what breaks and where; well-formed XML, the viewBox grown to hold it', async () => {
    const svg = (await run(['export', race, '--format', 'svg', '--step', '11'])).stdout;
    expect(xmlFault(svg)).toBeUndefined();
    const c = captionOf(svg);
    // Wrapped at word boundaries: the lines, joined, give back the paragraphs.
    expect(c.lines).toEqual([
      'dns (as-was): aliasResolves violated after 12 steps',
      'Step 11 of 12: enactor 0 points the top alias at plan 1, older than the active',
      'plan 3, and releases the lock',
      "aliasResolves breaks at step 12: endpoint 0's top alias points at plan 1, whose",
      'tree has been deleted: the name resolves to nothing',
      "noRollback also breaks, at step 11: endpoint 0's top alias rolled back from plan",
      '3 to plan 1',
    ]);
    // The drawing was 600 × 166; the caption is drawn below it, inside the grown viewBox, and the height grows with it.
    expect(c.viewBox.slice(0, 3)).toEqual([0, 0, 600]);
    expect(c.viewBox[3]).toBeGreaterThan(Math.max(...c.ys));
    expect(Math.min(...c.ys)).toBeGreaterThan(166);
    expect(c.height).toBe(String(c.viewBox[3]));
    // At step 0: the initial state.
    expect(captionOf((await run(['export', race, '--format', 'svg', '--step', '0'])).stdout).lines[1]).toBe('Step 0 of 12: the initial state');
  });

  it('a caption never breaks the document: hostile trace strings are escaped, long words cut, the lines fit the width at any scale', () => {
    const t: Trace = parseTrace(JSON.parse(readFileSync(race, 'utf8')));
    const hostile: Trace = {
      ...t,
      model: HOSTILE,
      variant: HOSTILE,
      steps: t.steps.map((s) => ({ ...s, narration: `${HOSTILE} ${'x'.repeat(500)}` })),
      breaks: t.breaks.map((b) => ({ ...b, explanation: HOSTILE })),
    };
    const picture: PictureNode = {
      tag: 'svg',
      attrs: { width: 300, height: 100, viewBox: '0 0 30 10' },
      children: [{ tag: 'rect', attrs: { width: 30, height: 10 } }],
    };
    const svg = pictureSvg(picture, svgCaption(hostile, 3))!;
    expect(xmlFault(svg)).toBeUndefined();
    expect(svg).not.toContain('<script');
    for (const piece of ['&lt;/text&gt;&lt;/svg&gt;&lt;script&gt;', '&amp; &quot;q&quot; &apos;a&apos; &amp;amp; ]]&gt;']) expect(svg).toContain(piece);
    const c = captionOf(svg);
    // Read back (white space aside, where lines were broken), the caption says what the trace says.
    const gone = (x: string): string => x.replace(/\s+/g, '');
    expect(gone(c.lines.join(''))).toContain(gone(`${HOSTILE} (${HOSTILE}): aliasResolves violated after 12 steps`));
    // 300 px wide, less the margins, at 7.2 px a character: 38 characters; the 500 x's cut to the width (the last paragraph cut at 400 characters with …).
    for (const l of c.lines) expect([...l].length).toBeLessThanOrEqual(38);
    expect(c.lines).toContain('x'.repeat(38));
    // The caption is drawn in the drawing's units (a tenth of a pixel here): 12 px type is font-size 1.2, the viewBox grows from 10, the height from 100 in proportion.
    expect(svg).toMatch(/<text x="1" y="[\d.]+" font-size="1.2" fill="#1f2328" font-weight="600">/);
    expect(c.viewBox.slice(0, 3)).toEqual([0, 0, 30]);
    expect(Number(c.height)).toBeCloseTo(c.viewBox[3] * 10, 1);
  });

  it('a caption names the trace’s property first and at most a few others; a drawing without size gets an svg’s default 300 × 150', () => {
    const t: Trace = parseTrace(JSON.parse(readFileSync(race, 'utf8')));
    const many = {
      ...t,
      breaks: [...Array.from({ length: 9 }, (_, i) => ({ property: `p${i}`, step: 1, kind: 'invariant' as const, explanation: 'x' })), ...t.breaks],
    };
    const cap = svgCaption(many, 12);
    expect(cap[2]).toMatch(/^aliasResolves breaks at step 12: /);
    expect(cap.slice(3)).toEqual([
      ...Array.from({ length: CAPTION_OTHERS }, (_, i) => `p${i} also breaks, at step 1: x`),
      `and ${10 - CAPTION_OTHERS} more properties break`,
    ]);
    const svg = pictureSvg({ tag: 'svg', children: [{ tag: 'circle', attrs: { r: 5 } }] }, ['a caption'])!;
    expect(xmlFault(svg)).toBeUndefined();
    expect(captionOf(svg)).toEqual({ lines: ['a caption'], ys: [171], viewBox: [0, 0, 300, 181], height: undefined });
    // No caption asked for: the drawing as it was.
    expect(pictureSvg({ tag: 'svg', attrs: { viewBox: '0 0 1 1' } })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>\n',
    );
  });

  it('the well-formedness check finds what a parser would refuse', () => {
    expect(xmlFault('<?xml version="1.0"?>\n<svg a="1"><g/><text>a &amp; b &#60;</text></svg>\n')).toBeUndefined();
    expect(xmlFault('<svg><text>a & b</text></svg>')).toMatch(/unescaped/);
    expect(xmlFault('<svg><text>a < b</text></svg>')).toBeDefined();
    expect(xmlFault('<svg a="<"/>')).toMatch(/unescaped/);
    expect(xmlFault('<svg a="1" a="2"/>')).toMatch(/twice/);
    expect(xmlFault('<svg><g></svg></g>')).toMatch(/closes/);
    expect(xmlFault('<svg><g>')).toMatch(/never closed/);
    expect(xmlFault('<svg/><svg/>')).toMatch(/second root/);
    expect(xmlFault('<svg a=1/>')).toMatch(/not a tag/);
    expect(xmlFault('x<svg/>')).toMatch(/outside/);
  });

  it('refuses a step outside the trace, --step with another format, and a model without a picture, in one line each', async () => {
    expect(await run(['export', race, '--format', 'svg', '--step', '13'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'dnsmc: --step must be a step of the trace, a whole number from 0 to 12, got "13"\n',
    });
    expect((await run(['export', race, '--format', 'svg', '--step', '-1'])).code).toBe(2);
    expect(await run(['export', race, '--format', 'markdown', '--step', '3'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'dnsmc: --step goes with --format svg only\n',
    });
  });

  it('writes only allowed tags and attributes, every text escaped', () => {
    const hostile: PictureNode = {
      tag: 'div',
      children: [
        {
          tag: 'svg',
          attrs: { width: 10, onload: 'alert(1)', 'data-x': '"><script>' },
          children: [
            { tag: 'script', text: 'alert(2)' },
            { tag: 'rect', attrs: { fill: 'url(https://example.com/x)', stroke: 'red', href: 'javascript:alert(3)' } },
            { tag: 'foreignObject', children: [{ tag: 'div', text: 'x' }] },
            { tag: 'text', text: '</svg><script>alert(4)</script> & "q"' },
          ],
        },
      ],
    };
    expect(pictureSvg(hostile)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" data-x="&quot;&gt;&lt;script&gt;"><rect stroke="red"/><text>&lt;/svg&gt;&lt;script&gt;alert(4)&lt;/script&gt; &amp; &quot;q&quot;</text></svg>\n',
    );
    expect(pictureSvg({ tag: 'div', text: 'no drawing' })).toBeUndefined();
  });
});

describe('the allow-lists', () => {
  it('one list: the page script reads it from the page data, and a standalone picture keeps a subset of it', () => {
    const client = readFileSync(join(import.meta.dirname, '..', '..', 'traces', 'client', 'viewer.js'), 'utf8');
    // The page script names no tag or attribute list of its own.
    expect(client).toContain('new Set(DATA.allow.svg)');
    expect(client).not.toMatch(/new Set\(\[\s*'(div|svg|x)'/);
    expect(ALLOW_ATTRS.length).toBeGreaterThan(20);
    expect([...ATTRS].filter((a) => !ALLOW_ATTRS.includes(a))).toEqual([]);
    expect([...SVG_TAGS].filter((t) => !ALLOW_SVG.includes(t))).toEqual([]);
    // Markers are drawn in the page only.
    expect(SVG_TAGS.has('marker')).toBe(false);
    expect(ALLOW_SVG).toContain('marker');
  });
});
