import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { FRAME_HEADER_BYTES, FrameDecoder, FrameType, encodeFrame, type Frame } from "./frame.ts";

const frameArbitrary = fc.record({
  type: fc.constantFrom(...Object.values(FrameType)),
  flags: fc.integer({ min: 0, max: 3 }),
  streamId: fc.integer({ min: 0, max: 0x7fffffff }),
  payload: fc.uint8Array({ maxLength: 300 }),
});

function plain(frame: Frame) {
  return { ...frame, payload: Array.from(frame.payload) };
}

describe("frame codec", () => {
  test("decodes what it encodes, however the bytes are cut", () => {
    fc.assert(
      fc.property(fc.array(frameArbitrary, { maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }), (frames, cuts) => {
        const bytes = Buffer.concat(frames.map((f) => encodeFrame(f.type, f.flags, f.streamId, f.payload)));
        const decoder = new FrameDecoder(1024);
        const decoded: Frame[] = [];
        let offset = 0;
        for (let i = 0; offset < bytes.length; i++) {
          const size = cuts[i % cuts.length]!;
          decoded.push(...decoder.push(bytes.subarray(offset, offset + size)));
          offset += size;
        }
        expect(decoded.map(plain)).toEqual(frames.map((f) => plain({ ...f, payload: Uint8Array.from(f.payload) })));
        expect(decoder.bufferedBytes).toBe(0);
      }),
    );
  });

  test("refuses a payload above the limit from its header, before buffering it", () => {
    const decoder = new FrameDecoder(100);
    const header = encodeFrame(FrameType.DATA, 0, 1, new Uint8Array(101)).subarray(0, FRAME_HEADER_BYTES);
    expect(() => decoder.push(header)).toThrow("frame of 101 bytes exceeds the limit of 100");
  });

  test("refuses unknown frame types and out-of-range stream ids", () => {
    const unknown = encodeFrame(FrameType.DATA, 0, 1);
    unknown[0] = 99;
    expect(() => new FrameDecoder(100).push(unknown)).toThrow("unknown frame type 99");
    const bigId = encodeFrame(FrameType.DATA, 0, 1);
    bigId.writeUInt32BE(0x80000000, 2);
    expect(() => new FrameDecoder(100).push(bigId)).toThrow("out of range");
  });

  test("random garbage either decodes into valid frames or is refused; memory stays bounded", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 30 }), (chunks) => {
        const decoder = new FrameDecoder(256);
        try {
          for (const chunk of chunks) {
            for (const frame of decoder.push(chunk)) expect(frame.payload.length).toBeLessThanOrEqual(256);
            expect(decoder.bufferedBytes).toBeLessThanOrEqual(256 + FRAME_HEADER_BYTES);
          }
        } catch (error) {
          expect(String(error)).toContain("protocol error");
        }
      }),
    );
  });
});
