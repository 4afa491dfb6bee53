/** Lays out rows under headers in columns three spaces apart, as docker's tabwriter does. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]! + 3)))
      .join("")
      .trimEnd() + "\n";
  return line(headers) + rows.map(line).join("");
}
