/** A CSV cell: text, a number, or empty (null). */
export type CsvValue = string | number | null;

/** Excel and LibreOffice read the BOM as "this file is UTF-8"; without it Chinese headers come out garbled. */
export const UTF8_BOM = '\uFEFF';

/** Spreadsheet formula triggers (OWASP "CSV injection"): a text cell starting with one is neutralised with `'`. */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * One RFC 4180 field. Numbers are written as they are (a negative number is not a formula); text that a
 * spreadsheet would run as a formula (institution names are typed by people) gets a leading apostrophe.
 */
export function csvCell(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return String(value);
  }
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A whole document: BOM, header, rows, CRLF line ends (RFC 4180). Every row must be as wide as the header. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  const lines = [header.map(csvCell).join(',')];
  rows.forEach((row, i) => {
    if (row.length !== header.length) throw new RangeError(`CSV row ${i} has ${row.length} cells; the header has ${header.length}`);
    lines.push(row.map(csvCell).join(','));
  });
  return `${UTF8_BOM}${lines.join('\r\n')}\r\n`;
}
