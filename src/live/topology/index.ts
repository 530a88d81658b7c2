/**
 * What one `--redis` points at: a standalone Redis (redis://, rediss://), a Sentinel setup (redis+sentinel://, the
 * master resolved through the sentinels) or a Cluster (any node given with redis:// or rediss://, detected from
 * `cluster_enabled:1`). Every kind ends as one RedisReader, so the RQ and BullMQ readers do not know which it is.
 */
import { connectReader, type ConnectSettings, type RedisReader } from '../redis.js';
import { openCluster } from './cluster.js';
import { isSentinelUrl, openSentinelMaster, parseSentinelUrl } from './sentinel.js';

export type Topology = 'standalone' | 'sentinel' | 'cluster';

export interface TargetSettings extends ConnectSettings {
  connectTimeoutMs: number;
  /** The sentinels' own password (--sentinel-password, RECEIPTS_DOCTOR_SENTINEL_PASSWORD). */
  sentinelPassword?: string;
}

export interface OpenTarget {
  reader: RedisReader;
  topology: Topology;
  /** What to print for this target: the URL as given, password redacted. */
  label: string;
  /** Sentinel: `host:port` of the master the sentinels named. */
  master?: string;
  /** Sentinel: resolve the master again (after a failover cut the connection). */
  reopen?: () => Promise<OpenTarget>;
}

export async function openTarget(url: string, settings: TargetSettings): Promise<OpenTarget> {
  if (isSentinelUrl(url)) {
    const target = parseSentinelUrl(url);
    const open = async (): Promise<OpenTarget> => {
      const { reader, address } = await openSentinelMaster(target, settings.sentinelPassword, settings.connectTimeoutMs, settings);
      return { reader, topology: 'sentinel', label: target.redacted, master: address, reopen: open };
    };
    return open();
  }
  const seed = await connectReader(url, settings.connectTimeoutMs, settings);
  if (!seed.clusterEnabled) return { reader: seed, topology: 'standalone', label: seed.target.redacted };
  try {
    return { reader: await openCluster(seed, settings.connectTimeoutMs, settings), topology: 'cluster', label: seed.target.redacted };
  } catch (error) {
    await seed.close();
    throw error;
  }
}
