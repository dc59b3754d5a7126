import { emptyStats, mergeStats, type ReadProblem, type ReadStats } from '../../lambdas/core/cloudtrail/reader';
import { SkipReason, isDamage } from '../../lambdas/core/cloudtrail/normalize';
import { analyzeSightings, type Sighting } from '../../lambdas/core/engine';
import type { BillingData } from '../../lambdas/core/billing';
import type { Finding } from '../../lambdas/core/model';
import type { EngineSettings } from '../../lambdas/core/settings';
import type { ThreatIntel } from '../../lambdas/core/threat-intel';
import { budgetJitForOneShotRun } from './jit';
import { plannedThreads, readAll } from './pool';
import { expandSources } from './sources';

/** The local hunt: read every source, run the engine, count everything. */

export interface HuntOptions {
  readonly paths: readonly string[];
  readonly settings: EngineSettings;
  readonly intel: ThreatIntel;
  /** Billing signals from saved Cost Explorer responses (--billing). */
  readonly billing?: BillingData;
  readonly threads?: number;
  readonly onProblem?: (problem: ReadProblem) => void;
  readonly onProgress?: (progress: HuntProgress) => void;
}

export interface HuntProgress {
  readonly filesDone: number;
  readonly files: number;
  readonly bytes: number;
  readonly records: number;
}

export interface HuntSummary {
  readonly files: number;
  /** Files with at least one damaged record or a stream problem. */
  readonly filesWithProblems: number;
  readonly compressedFiles: number;
  /** Bytes read, after decompression. */
  readonly bytes: number;
  readonly stats: ReadStats;
  /** Files in directories that were not read because they do not look like logs. */
  readonly ignoredFiles: readonly string[];
  readonly missing: readonly { label: string; reason: string }[];
  readonly threads: number;
}

export interface HuntResult {
  readonly findings: Finding[];
  readonly summary: HuntSummary;
  /** Some input could not be read (exit code 2). */
  readonly incomplete: boolean;
}

export async function hunt(options: HuntOptions): Promise<HuntResult> {
  budgetJitForOneShotRun();
  const { sources, ignored, missing } = expandSources(options.paths);
  const threads = plannedThreads(sources, options.threads);
  const events: Sighting[] = [];
  const stats = emptyStats();
  const troubled = new Set<string>();
  let files = 0;
  let compressedFiles = 0;
  let bytes = 0;
  await readAll(
    sources,
    {
      event: (e) => events.push(e),
      problem: (p) => {
        if (isDamage(p.reason)) troubled.add(p.source);
        options.onProblem?.(p);
      },
      done: (_source, result) => {
        files++;
        if (result.compressed) compressedFiles++;
        bytes += result.bytes;
        mergeStats(stats, result.stats);
        options.onProgress?.({ filesDone: files, files: sources.length, bytes, records: stats.records });
      },
    },
    // Without a feed nothing reads the addresses and domains an event names: do not extract them.
    { threads, facts: { observables: options.intel.feeds.length > 0 } },
  );
  const { findings, duplicates } = analyzeSightings(events, { settings: options.settings, intel: options.intel, ...(options.billing ? { billing: options.billing } : {}) });
  if (duplicates) {
    stats.relevant -= duplicates;
    stats.skipped[SkipReason.DUPLICATE_EVENT] = (stats.skipped[SkipReason.DUPLICATE_EVENT] ?? 0) + duplicates;
  }
  for (const m of missing) options.onProblem?.({ source: m.label, reason: SkipReason.UNREADABLE_FILE, message: m.reason });
  const damaged = Object.entries(stats.skipped).some(([reason, n]) => n > 0 && isDamage(reason as SkipReason));
  return {
    findings,
    summary: {
      files,
      filesWithProblems: troubled.size,
      compressedFiles,
      bytes,
      stats,
      ignoredFiles: ignored,
      missing,
      threads,
    },
    incomplete: damaged || stats.streamProblems > 0 || missing.length > 0,
  };
}
