import { emptyThreatIntel, type ThreatIntel } from '../../core/threat-intel';
import { loadFeeds } from '../../adapters/feeds';
import { logger } from './observability';
import { numberEnv, optionalEnv } from './runtime';

/** Threat intel from the feeds bucket, cached in the warm Lambda and refreshed on a timer. */
export function feedsFromEnvironment(): () => Promise<ThreatIntel> {
  const bucket = optionalEnv('FEEDS_BUCKET');
  if (!bucket) return () => Promise.resolve(emptyThreatIntel());
  const refreshMinutes = numberEnv('THREAT_INTEL_REFRESH_MINUTES', 15);
  return async () => {
    const loaded = await loadFeeds(bucket, { refreshMinutes });
    for (const e of loaded.errors) logger.warn('threat-intel feed not loaded', { error: e });
    return loaded.intel;
  };
}
