import { invalidFile } from './bytes.ts';

/** One CSV record and the (1-based) line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Splits RFC 4180 CSV: comma-separated, `"` quotes a field (`""` is a quote inside it), quoted
 * fields may hold commas and line breaks; CRLF, LF and CR all end a record. Blank lines are
 * skipped. An unterminated quote, or text after a closing quote, throws naming the line.
 */
export function* parseCsv(text: string, fileName: string): Generator<CsvRecord> {
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= n) throw badLine(fileName, quoteLine, 'a quoted field is never closed (missing `"`)');
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
          field += c;
          i++;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw badLine(fileName, line, `unexpected text after a closing quote ('${text.slice(i, i + 10)}')`);
        }
      } else {
        const start = i;
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') i++;
        field = text.slice(start, i);
      }
      fields.push(field);
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    if (fields.length === 1 && fields[0] === '') continue;
    yield { line: startLine, fields };
  }
}

function badLine(fileName: string, line: number, problem: string) {
  return invalidFile(fileName, `line ${line}: ${problem}.`, 'Fix that line (RFC 4180 CSV: quote fields that hold commas, double a quote inside quotes) and import again.');
}
