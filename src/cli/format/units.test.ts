import { expect, test } from "bun:test";
import { ansicTime, bytesSize, humanDuration } from "./units.ts";

test("sizes read like docker's", () => {
  expect(bytesSize(25_201_389_568)).toBe("23.47GiB");
  expect(bytesSize(512)).toBe("512B");
  expect(bytesSize(2048)).toBe("2KiB");
  expect(bytesSize(1_572_864)).toBe("1.5MiB");
});

test("durations read like docker's", () => {
  expect(humanDuration(5e9)).toBe("5 seconds");
  expect(humanDuration(1e9)).toBe("1 second");
  expect(humanDuration(0)).toBe("Less than a second");
  expect(humanDuration(90e9)).toBe("About a minute");
  expect(humanDuration(2160 * 3.6e12)).toBe("3 months");
  expect(humanDuration(3.6e12)).toBe("About an hour");
  expect(humanDuration(20 * 365 * 24 * 3.6e12)).toBe("20 years");
});

test("build times print in Go's ANSIC layout", () => {
  expect(ansicTime("2026-11-05T08:09:10Z")).toBe("Thu Nov  5 08:09:10 2026");
  expect(ansicTime("")).toBe("");
});

test("image sizes read like docker images' (decimal, three digits)", async () => {
  const { humanSize } = await import("./units.ts");
  expect(humanSize(4_260_000)).toBe("4.26MB");
  expect(humanSize(999)).toBe("999B");
  expect(humanSize(1_234_567_890)).toBe("1.23GB");
  expect(humanSize(12_345)).toBe("12.3kB");
});

test("tables pad columns three spaces apart and trim line ends", async () => {
  const { table } = await import("./table.ts");
  expect(table(["A", "LONGER"], [["xx", "y"], ["z", ""]])).toBe("A    LONGER\nxx   y\nz\n");
});
