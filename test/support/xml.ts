/**
 * A strict check that a document is well-formed XML, for the SVG export's
 * tests: an optional `<?xml ...?>` declaration, then exactly one root
 * element; every tag closed in order; attribute names unique per element,
 * values double- or single-quoted with no `<`; text and values with `&` only
 * in a character or predefined entity reference. No DTDs, comments or CDATA
 * (dnsmc writes none). Returns the first fault, or undefined when well-formed.
 */
const NAME = '[A-Za-z_:][A-Za-z0-9_:.-]*';
const REF = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/g;
const OPEN = new RegExp(`^<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*(/?)>`);
const ATTR = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g');
const CLOSE = new RegExp(`^</(${NAME})\\s*>`);

const badText = (s: string): boolean => s.replace(REF, '').includes('&') || s.includes('<');

export function xmlFault(doc: string): string | undefined {
  let rest = doc.replace(/^<\?xml\s[^?]*\?>/, '');
  const stack: string[] = [];
  let roots = 0;
  while (rest !== '') {
    const lt = rest.indexOf('<');
    const text = lt < 0 ? rest : rest.slice(0, lt);
    if (text !== '') {
      if (stack.length === 0 && text.trim() !== '') return `text outside the root element: ${text.slice(0, 40)}`;
      if (badText(text)) return `unescaped & or < in text: ${text.slice(0, 40)}`;
      rest = rest.slice(text.length);
      continue;
    }
    const close = CLOSE.exec(rest);
    if (close) {
      if (stack.pop() !== close[1]) return `</${close[1]}> closes no open <${close[1]}>`;
      rest = rest.slice(close[0].length);
      continue;
    }
    const open = OPEN.exec(rest);
    if (!open) return `not a tag: ${rest.slice(0, 40)}`;
    if (stack.length === 0 && roots++ > 0) return `a second root element <${open[1]}>`;
    const seen = new Set<string>();
    for (const a of open[2].matchAll(ATTR)) {
      if (seen.has(a[1])) return `attribute ${a[1]} twice on <${open[1]}>`;
      seen.add(a[1]);
      const value = a[2] ?? a[3];
      if (badText(value)) return `unescaped & or < in ${a[1]}="${value.slice(0, 40)}"`;
    }
    if (open[3] !== '/') stack.push(open[1]);
    rest = rest.slice(open[0].length);
  }
  if (stack.length > 0) return `<${stack[stack.length - 1]}> is never closed`;
  return roots === 1 ? undefined : 'no root element';
}
