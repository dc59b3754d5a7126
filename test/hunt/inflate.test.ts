import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { GunzipInPlace } from '../../lib/hunt/inflate';

const text = (n: number, seed: string): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => `{"eventID":"${seed}-${i}","eventName":"RunInstances"}`).join('\n'));
const isize = (gz: Buffer): number => gz.readUInt32LE(gz.length - 4);

describe.each([
  ['native handle', new GunzipInPlace()],
  ['gunzipSync fallback', new GunzipInPlace({ native: false })],
])('GunzipInPlace (%s)', (_name, inflater) => {
  it('inflates files one after another, each exactly, growing the buffer when needed', () => {
    for (const [n, seed] of [
      [10, 'a'],
      [5000, 'b'],
      [3, 'c'],
      [20000, 'd'],
      [0, 'e'],
    ] as const) {
      const plain = text(n, seed);
      const gz = gzipSync(plain);
      expect(inflater.inflate(gz, isize(gz))?.equals(plain)).toBe(true);
    }
  });

  it('reads concatenated gzip members as one file', () => {
    const a = text(100, 'a');
    const b = text(200, 'b');
    const gz = Buffer.concat([gzipSync(a), gzipSync(b)]);
    // The trailer states the last member's size; the caller passes the whole.
    expect(inflater.inflate(gz, a.length + b.length)?.equals(Buffer.concat([a, b]))).toBe(true);
  });

  it('declines (for the caller to stream and report) a truncated, a corrupt and an understated file, and keeps working after each', () => {
    const plain = text(4000, 'x');
    const gz = gzipSync(plain);
    const badCrc = Buffer.from(gz);
    badCrc[badCrc.length - 6]! ^= 0xff;
    const badData = Buffer.from(gz);
    badData[40]! ^= 0xff;
    expect(inflater.inflate(gz.subarray(0, gz.length >> 1), isize(gz))).toBeUndefined();
    expect(inflater.inflate(gz, isize(gz))?.equals(plain)).toBe(true);
    expect(inflater.inflate(badCrc, isize(gz))).toBeUndefined();
    expect(inflater.inflate(gz, isize(gz))?.equals(plain)).toBe(true);
    expect(inflater.inflate(badData, isize(gz))).toBeUndefined();
    expect(inflater.inflate(gz, isize(gz))?.equals(plain)).toBe(true);
    expect(inflater.inflate(gz, 100)).toBeUndefined();
    expect(inflater.inflate(gz, plain.length - 1)).toBeUndefined(); // one byte more than it says
    expect(inflater.inflate(gz, isize(gz))?.equals(plain)).toBe(true);
    expect(inflater.inflate(gz, isize(gz))?.equals(plain)).toBe(true);
  });
});

describe('GunzipInPlace on this Node', () => {
  it('uses the native handle (the fallback exists for Nodes that change it)', () => {
    expect(new GunzipInPlace().native).toBe(true);
  });

  it('reuses its buffer: a result is only valid until the next call', () => {
    const inflater = new GunzipInPlace();
    const first = inflater.inflate(gzipSync(text(50, 'first')), text(50, 'first').length)!;
    const copy = Buffer.from(first);
    inflater.inflate(gzipSync(text(50, 'other')), text(50, 'other').length);
    expect(first.buffer).toBe(inflater.inflate(gzipSync(text(50, 'third')), text(50, 'third').length)!.buffer);
    expect(first.equals(copy)).toBe(false);
  });
});
