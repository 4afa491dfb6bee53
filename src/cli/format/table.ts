/**
 * Lays out rows under headers in columns three spaces apart, as docker's tabwriter does; with
 * `minWidth` (docker's list commands use 10) a column, padding included, is never narrower.
 */
export function table(headers: string[], rows: string[][], minWidth = 0): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(Math.max(widths[column]! + 3, minWidth))))
      .join("")
      .trimEnd() + "\n";
  return line(headers) + rows.map(line).join("");
}
