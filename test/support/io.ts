import { Writable } from 'node:stream';
import { main } from '../../lib/cli/main';

/** A writable stream that keeps what was written. */
export class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** The CLI in-process, with its streams captured. */
export async function runCli(argv: readonly string[], now = new Date('2025-06-01T00:00:00Z')): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(argv, { stdout, stderr, stdinIsTTY: true, now: () => now });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
