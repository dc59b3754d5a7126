import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { PROVISIONING_SHARE, REGIONS, TrailSynth } from './records';
import { Rng, Weighted } from './rng';

/**
 * The benchmark corpus: CloudTrail log files exactly as an organization
 * trail delivers them to S3 (gzip, `{"Records":[...]}`, one file per
 * account, region and delivery window, under AWSLogs/<account>/CloudTrail/
 * <region>/<yyyy>/<mm>/<dd>/). Generation is deterministic and takes a
 * while at full size, so the corpus is kept under .bench/corpus/<records>/
 * and rebuilt only when it is missing, incomplete, or was written by a
 * different version of the generator.
 */

export interface Manifest {
  /** Hash of the generator's sources: any change to them rebuilds the corpus. */
  readonly version: string;
  readonly seed: number;
  readonly records: number;
  readonly files: number;
  /** Provisioning records written, i.e. what the hunt must count as relevant. */
  readonly provisioning: number;
  readonly provisioningByName: Readonly<Record<string, number>>;
  /** Total size after decompression. */
  readonly bytes: number;
  readonly compressedBytes: number;
}

export interface Corpus {
  readonly manifest: Manifest;
  /** The directory to hunt (the AWSLogs tree; the manifest lives beside it). */
  readonly logs: string;
  /** Generation time in ms, or undefined when an existing corpus was reused. */
  readonly generatedMs: number | undefined;
}

const SEED = 0x5eed_2024;
const MIN_RECORDS_PER_FILE = 1000;
const MAX_RECORDS_PER_FILE = 5000;
/** CloudTrail delivers a file per account and region about every five minutes. */
const DELIVERY_WINDOW_MS = 5 * 60_000;
const START = Date.UTC(2024, 5, 1);
/** Files compressing at once on the libuv pool while the next one is built. */
const GZIP_IN_FLIGHT = 4;

const gzipAsync = promisify(gzip);

function generatorVersion(): string {
  const hash = createHash('sha256');
  for (const file of ['corpus.ts', 'records.ts', 'rng.ts']) hash.update(readFileSync(new URL(`./${file}`, import.meta.url)));
  return hash.digest('hex').slice(0, 16);
}

function countFiles(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
}

function readManifest(file: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/** The corpus for `records` records, generated under `root` if needed. */
export async function ensureCorpus(root: string, records: number): Promise<Corpus> {
  const dir = path.join(root, String(records));
  const logs = path.join(dir, 'AWSLogs');
  const manifestFile = path.join(dir, 'manifest.json');
  const version = generatorVersion();
  const existing = readManifest(manifestFile);
  if (existing && existing.version === version && existing.seed === SEED && existing.records === records && existsSync(logs) && countFiles(logs) === existing.files) {
    return { manifest: existing, logs, generatedMs: undefined };
  }
  rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  const manifest = await generate(logs, records, version);
  // Written last: an interrupted generation leaves no manifest and is redone.
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, logs, generatedMs: performance.now() - started };
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

async function generate(logs: string, records: number, version: string): Promise<Manifest> {
  const rng = new Rng(SEED);
  const synth = new TrailSynth(rng, START);
  const accounts = synth.accountIds;
  // The first account is the busy production one.
  const accountTable = new Weighted(accounts.map((_, i): [number, number] => [i, i === 0 ? 4 : 1]));
  const regionTable = new Weighted(REGIONS);
  const byName: Record<string, number> = {};
  let provisioning = 0;
  let bytes = 0;
  let compressedBytes = 0;
  let files = 0;
  let clock = START;
  const pending: Promise<void>[] = [];

  for (let written = 0; written < records; ) {
    const n = Math.min(records - written, rng.int(MIN_RECORDS_PER_FILE, MAX_RECORDS_PER_FILE));
    const account = accountTable.pick(rng);
    const region = regionTable.pick(rng);
    // Files of different accounts and regions overlap in time, as they do in a real trail.
    clock += rng.int(0, 120) * 1000;
    const times = Array.from({ length: n }, () => clock + Math.floor(rng.float() * DELIVERY_WINDOW_MS)).sort((a, b) => a - b);
    const parts: string[] = [];
    for (const time of times) {
      const isProvisioning = rng.chance(PROVISIONING_SHARE);
      const r = synth.next(account, region, time, isProvisioning);
      if (isProvisioning) {
        provisioning++;
        byName[r.eventName] = (byName[r.eventName] ?? 0) + 1;
      }
      parts.push(r.json);
    }
    written += n;

    const end = new Date(clock + DELIVERY_WINDOW_MS);
    const [y, m, d] = [end.getUTCFullYear(), two(end.getUTCMonth() + 1), two(end.getUTCDate())];
    const accountId = accounts[account]!;
    const dir = path.join(logs, accountId, 'CloudTrail', region, String(y), m, d);
    const name = `${accountId}_CloudTrail_${region}_${y}${m}${d}T${two(end.getUTCHours())}${two(end.getUTCMinutes())}Z_${rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 16)}.json.gz`;
    const text = Buffer.from(`{"Records":[${parts.join(',')}]}`);
    bytes += text.length;
    files++;
    mkdirSync(dir, { recursive: true });
    // Compression runs on the libuv pool (other cores) while the next file is built.
    pending.push(
      gzipAsync(text).then(async (gz) => {
        compressedBytes += gz.length;
        await writeFile(path.join(dir, name), gz);
      }),
    );
    if (pending.length >= GZIP_IN_FLIGHT) await pending.shift();
  }
  await Promise.all(pending);
  return { version, seed: SEED, records, files, provisioning, provisioningByName: byName, bytes, compressedBytes };
}
