#!/usr/bin/env node
import { main } from '../lib/cli/main';
import pkg from '../package.json' with { type: 'json' };

/** The `rogue-infra` command: everything happens in lib/cli/main.ts. */
const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdinIsTTY: Boolean(process.stdin.isTTY),
  now: () => new Date(),
}, pkg.version);
process.exitCode = code;
