/**
 * Splitting a driver's command line (`--driver "CMD ARGS..."`) into words,
 * apart from the driver process itself, so that reading the flag loads no
 * process machinery.
 */

/**
 * A command line split into words, without a shell: words are separated by
 * blanks; single or double quotes keep blanks inside a word. Throws on an
 * unclosed quote or an empty command.
 */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = null;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new Error(`an unclosed ${quote} quote`);
  if (word !== null) words.push(word);
  if (words.length === 0) throw new Error('an empty command');
  return words;
}
