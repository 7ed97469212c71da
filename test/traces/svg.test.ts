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
import { ATTRS, pictureSvg, SVG_TAGS } from '../../traces/svg.js';
import { run } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-svg-'));
const race = join(dir, 'race.json');

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
