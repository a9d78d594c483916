/**
 * RESULTS.md keeps one block per section, each with its own date and command, so `--only=<name>` replaces that
 * section's block and keeps the others' latest results.
 */
export interface SectionResult {
  name: string;
  ok: boolean;
  seconds: number;
  /** ISO time the run started. */
  date: string;
  command: string;
  markdown: string;
}

const BLOCK = /<!-- bench-section (\S+) (\{.*?\}) -->\n([\s\S]*?)\n<!-- \/bench-section \1 -->/g;

export function renderSectionResult(r: SectionResult): string {
  const meta = JSON.stringify({ ok: r.ok, seconds: Number(r.seconds.toFixed(1)), date: r.date, command: r.command });
  return `<!-- bench-section ${r.name} ${meta} -->\n${r.markdown.trim()}\n<!-- /bench-section ${r.name} -->`;
}

/** The section blocks of an existing RESULTS.md (also the first layout, without block markers). */
export function parseSectionResults(text: string): SectionResult[] {
  const blocks = [...text.matchAll(BLOCK)].flatMap(([, name, meta, markdown]) => {
    try {
      const m = JSON.parse(meta) as { ok: boolean; seconds: number; date: string; command: string };
      return [{ name, ok: m.ok, seconds: m.seconds, date: m.date, command: m.command, markdown }];
    } catch {
      return [];
    }
  });
  return blocks.length > 0 ? blocks : parseUnmarked(text);
}

/** First layout: a `## Sections` table (section | result | time), then one `## ` block per row, in order. */
function parseUnmarked(text: string): SectionResult[] {
  const date = /^Date: (\S+)$/m.exec(text)?.[1] ?? '';
  const command = /^Command:\s*\n\s*\n```\n(.+)\n```/m.exec(text)?.[1] ?? '';
  const tableStart = text.indexOf('## Sections\n');
  if (tableStart < 0) return [];
  const rest = text.slice(tableStart + '## Sections\n'.length);
  const rows = [...rest.matchAll(/^\| (\S+) \| (ok|\*\*failed\*\*) \| ([\d.]+) s \|$/gm)];
  const afterTable = rest.slice(rest.indexOf('\n\n', rows.at(-1)?.index ?? 0)).trim();
  const bodies = afterTable.split(/\n(?=## )/).map((b) => b.trim()).filter(Boolean);
  if (rows.length === 0 || bodies.length !== rows.length) return [];
  return rows.map(([, name, result, seconds], i) => ({ name, ok: result === 'ok', seconds: Number(seconds), date, command, markdown: bodies[i] }));
}

/** The fresh results replace earlier ones of the same name; the order is `order`, unknown names dropped. */
export function mergeSectionResults(previous: SectionResult[], fresh: SectionResult[], order: string[]): SectionResult[] {
  const byName = new Map(previous.map((r) => [r.name, r]));
  for (const r of fresh) byName.set(r.name, r);
  return order.flatMap((name) => {
    const r = byName.get(name);
    return r ? [r] : [];
  });
}
