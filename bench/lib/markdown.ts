/** Markdown helpers for RESULTS.md. */

export type Align = 'left' | 'right';

/** A GitHub-flavoured table; `|` inside cells is escaped. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rule = headers.map((_, i) => (align[i] === 'right' ? '---:' : '---'));
  return [headers, rule, ...rows].map((r) => `| ${r.map((c) => cell(c ?? '')).join(' | ')} |`).join('\n');
}

/** A fenced block, for error messages and logs. */
export function codeBlock(text: string): string {
  const fence = text.includes('```') ? '~~~' : '```';
  return `${fence}\n${text.trimEnd()}\n${fence}`;
}
