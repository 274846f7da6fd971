/**
 * Markdown tables laid out the way Prettier lays them out (cells padded to the column width,
 * at least three dashes), so that appended results pass `prettier --check` unchanged.
 * Cells must be plain ASCII: the padding counts characters.
 */
export type Align = 'left' | 'right'

export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i]?.length ?? 0)))
  const pad = (cell: string, i: number) =>
    align[i] === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)
  const line = (cells: readonly string[]) =>
    `| ${header.map((_, i) => pad(cells[i] ?? '', i)).join(' | ')} |`
  const rule = widths.map((w, i) =>
    align[i] === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w),
  )
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n')
}

/** A plain-text rendering of the same table, for the terminal. */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)))
  const line = (cells: readonly string[]) =>
    header
      .map((_, i) =>
        align[i] === 'right'
          ? (cells[i] ?? '').padStart(widths[i]!)
          : (cells[i] ?? '').padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}
