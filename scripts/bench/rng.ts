/**
 * A seeded pseudo-random generator (sfc32: 128-bit state, fast in plain JS
 * integer arithmetic) and the string shapes CloudTrail is full of. The
 * corpus must be byte-identical from run to run and machine to machine, so
 * nothing here touches Math.random.
 */

const HEX = '0123456789abcdef';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DASH = 0x2d;
const FOUR = 0x34;

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private readonly scratch = Buffer.alloc(1024);

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    // The first outputs of sfc32 still echo the seed; discard them.
    for (let i = 0; i < 16; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /**
   * A string of `length` characters drawn from `alphabet`. Built in a byte
   * buffer and decoded once: appending one character at a time would leave
   * a rope of tiny strings that JSON.stringify then has to flatten.
   */
  chars(alphabet: string, length: number): string {
    const buf = length <= this.scratch.length ? this.scratch : Buffer.alloc(length);
    for (let i = 0; i < length; i++) buf[i] = alphabet.charCodeAt(Math.floor(this.float() * alphabet.length));
    return buf.toString('latin1', 0, length);
  }

  hex(length: number): string {
    return this.chars(HEX, length);
  }

  upper(length: number): string {
    return this.chars(UPPER_ALNUM, length);
  }

  lower(length: number): string {
    return this.chars(LOWER_ALNUM, length);
  }

  base64(length: number): string {
    return this.chars(BASE64, length);
  }

  /** A version 4 UUID, as CloudTrail writes eventID and requestID. */
  uuid(): string {
    const buf = this.scratch;
    for (let i = 0; i < 36; i++) buf[i] = HEX.charCodeAt(this.u32() & 15);
    buf[8] = buf[13] = buf[18] = buf[23] = DASH;
    buf[14] = FOUR;
    buf[19] = HEX.charCodeAt(8 + (this.u32() & 3));
    return buf.toString('latin1', 0, 36);
  }

  /** A public-looking IPv4 address (not in 10/8, 127/8 or 0/8). */
  publicIp(): string {
    return `${this.pick([3, 13, 18, 34, 35, 44, 52, 54, 63, 71, 81, 98, 108, 142, 176, 185, 203])}.${this.int(0, 255)}.${this.int(0, 255)}.${this.int(1, 254)}`;
  }
}

/**
 * A weighted choice table, built once: `pick` is a binary search over the
 * cumulative weights, so the generator's inner loop stays cheap.
 */
export class Weighted<T> {
  private readonly items: readonly T[];
  private readonly cumulative: readonly number[];
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    let sum = 0;
    this.items = entries.map(([item]) => item);
    this.cumulative = entries.map(([, weight]) => (sum += weight));
    this.total = sum;
  }

  pick(rng: Rng): T {
    const x = rng.float() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}
