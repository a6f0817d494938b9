/**
 * sacrebleu's default '13a' tokenizer (mteval-v13a.pl as WMT uses it), transcribed from
 * sacrebleu/tokenizers/tokenizer_13a.py and tokenizer_re.py (mjpost/sacrebleu 2.x).
 */

const RULES: readonly [RegExp, string][] = [
  // Symbols and most ASCII punctuation become separate tokens: { to ~, [ to `, space to &, ( to +, : to @, /.
  [/([{-~[-`\x20-&(-+:-@/])/g, ' $1 '],
  // Period and comma are split off unless preceded by a digit...
  [/([^0-9])([.,])/g, '$1 $2 '],
  // ...or unless followed by a digit.
  [/([.,])([^0-9])/g, ' $1 $2'],
  // A dash after a digit is split off.
  [/([0-9])(-)/g, '$1 $2 '],
];

/** Tokenises one line the way sacrebleu's Tokenizer13a does; tokens are joined by single spaces. */
export function tokenize13a(line: string): string {
  let text = line
    .replaceAll('<skipped>', '')
    .replaceAll('-\n', '')
    .replaceAll('\n', ' ')
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>');
  text = ` ${text} `;
  for (const [pattern, replacement] of RULES) text = text.replace(pattern, replacement);
  return splitWhitespace(text).join(' ');
}

/** Python's str.split() with no argument: split on whitespace runs, no empty tokens. */
export function splitWhitespace(text: string): string[] {
  const trimmed = text.trim();
  return trimmed === '' ? [] : trimmed.split(/\s+/u);
}
