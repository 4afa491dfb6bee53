import { expect, test } from "bun:test";
import { apiTimestamp } from "./api-timestamp.ts";
import { formatGoDuration, parseGoDuration } from "./go-duration.ts";
import { parseRamBytes } from "./byte-size.ts";
import { muxFrame, StreamDemuxer } from "./stream-demux.ts";

test("Go durations parse to nanoseconds and print back", () => {
  expect(parseGoDuration("30s")).toBe(30e9);
  expect(parseGoDuration("1h30m")).toBe(5400e9);
  expect(parseGoDuration("1.5h")).toBe(5400e9);
  expect(parseGoDuration("300ms")).toBe(300e6);
  expect(parseGoDuration("-10s")).toBe(-10e9);
  expect(parseGoDuration("0")).toBe(0);
  expect(parseGoDuration("10")).toBeUndefined();
  expect(parseGoDuration("abc")).toBeUndefined();
  expect(formatGoDuration(90e9)).toBe("1m30s");
  expect(formatGoDuration(500e6)).toBe("500ms");
});

test("--since/--until values become the API's seconds.nanoseconds as docker's GetTimestamp does", () => {
  const now = new Date("2026-03-01T12:00:00Z");
  expect(apiTimestamp("10m", now)).toBe(String(Date.parse("2026-03-01T11:50:00Z") / 1000));
  expect(apiTimestamp("2026-01-02T03:04:05Z", now)).toBe("1767323045.000000000");
  expect(apiTimestamp("2026-01-02T03:04:05.5+01:00", now)).toBe("1767319445.500000000");
  expect(apiTimestamp("1767323045.25", now)).toBe("1767323045.25");
  expect(() => apiTimestamp("soon", now)).toThrow('failed to parse value as time or duration: "soon"');
});

test("sizes parse with binary multiples like docker's RAMInBytes", () => {
  expect(parseRamBytes("512m")).toBe(512 * 1024 ** 2);
  expect(parseRamBytes("1g")).toBe(1024 ** 3);
  expect(parseRamBytes("1.5GiB")).toBe(1.5 * 1024 ** 3);
  expect(parseRamBytes("100")).toBe(100);
  expect(parseRamBytes("12x")).toBeUndefined();
});

test("the demultiplexer splits frames fed byte by byte; stream 3 is the daemon's error", () => {
  const out: string[] = [];
  const demuxer = new StreamDemuxer({ stdout: (data) => out.push(`1:${Buffer.from(data)}`), stderr: (data) => out.push(`2:${Buffer.from(data)}`) });
  const bytes = Buffer.concat([muxFrame(1, "ab"), muxFrame(2, "c"), muxFrame(1, "")]);
  for (const byte of bytes) demuxer.push(Uint8Array.of(byte));
  expect(out).toEqual(["1:ab", "2:c", "1:"]);
  expect(demuxer.pending).toBe(false);
  expect(() => demuxer.push(muxFrame(3, "boom"))).toThrow("Error from daemon in stream: boom");
});
