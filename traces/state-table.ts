/**
 * Every field of a state as a table (a PictureNode tree): the viewer's view
 * of a state for any model, beside or instead of the model's own picture.
 * Each value is formatted by format.ts; an array field is shown element by
 * element, each element marked with its field and index so that the viewer
 * highlights what a step changed.
 */
import type { JsonState } from '../checker/state/layout.js';
import type { PictureNode } from '../checker/package/presentation.js';
import { showValue } from './format.js';

/** The table of a state's fields; `arrays` names the fields that hold one value per index (other JSON arrays are sets). */
export function stateTable(s: JsonState, arrays: readonly string[]): PictureNode {
  const rows: PictureNode[] = [
    {
      tag: 'tr',
      children: [
        { tag: 'th', text: 'field' },
        { tag: 'th', text: 'value' },
      ],
    },
  ];
  for (const [f, v] of Object.entries(s)) {
    const chips: PictureNode[] =
      Array.isArray(v) && arrays.includes(f)
        ? v.map((x, k) => ({
            tag: 'span',
            class: 'chip',
            field: f,
            index: k,
            children: [
              { tag: 'span', class: 'idx', text: `[${k}]` },
              { tag: 'span', text: showValue(x) },
            ],
          }))
        : [{ tag: 'span', class: 'chip', field: f, text: showValue(v) }];
    rows.push({
      tag: 'tr',
      children: [
        { tag: 'th', text: f },
        { tag: 'td', class: 'num', children: chips },
      ],
    });
  }
  return { tag: 'table', class: 'grid', attrs: { 'data-test': 'fields' }, children: rows };
}
