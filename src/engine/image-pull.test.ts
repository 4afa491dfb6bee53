import { expect, test } from "bun:test";
import { progressBar } from "./image-pull.ts";

test("docker's progress bar: arrow while downloading, full at the end, sizes in decimal units", () => {
  expect(progressBar(0, 2_000_000)).toBe(`[>${" ".repeat(49)}]      0B/2MB`);
  expect(progressBar(1_000_000, 2_000_000)).toBe(`[${"=".repeat(25)}>${" ".repeat(24)}]     1MB/2MB`);
  expect(progressBar(2_000_000, 2_000_000)).toBe(`[${"=".repeat(50)}]     2MB/2MB`);
  expect(progressBar(1_234_567, undefined)).toBe("1.23MB");
});
