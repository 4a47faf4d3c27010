/**
 * Hub settings read the way huggingface_hub reads them: HF_ENDPOINT (default https://huggingface.co), HF_TOKEN
 * (sent as `Authorization: Bearer`), HF_HUB_OFFLINE=1 (no network at all; the cache only).
 */
import type { Environment } from './cacheDir.ts';

export interface HubConfig {
  endpoint: string;
  token?: string;
  offline: boolean;
}

const TRUE_VALUES = new Set(['1', 'on', 'yes', 'true']);

export function hubConfigFromEnv(env: Environment): HubConfig {
  const endpoint = (env.HF_ENDPOINT?.trim() || 'https://huggingface.co').replace(/\/+$/, '');
  const token = env.HF_TOKEN?.trim() || undefined;
  const offline = TRUE_VALUES.has((env.HF_HUB_OFFLINE ?? '').trim().toLowerCase());
  return { endpoint, ...(token ? { token } : {}), offline };
}

/** The dataset tree listing: `/api/datasets/<repo>/tree/<revision>/<path>`. */
export function treeUrl(config: HubConfig, repo: string, revision: string, path = ''): string {
  const tail = path ? `/${encodePath(path)}` : '';
  return `${config.endpoint}/api/datasets/${repo}/tree/${encodeURIComponent(revision)}${tail}?recursive=true`;
}

/** One file's bytes: `/datasets/<repo>/resolve/<revision>/<path>`. */
export function resolveUrl(config: HubConfig, repo: string, revision: string, path: string): string {
  return `${config.endpoint}/datasets/${repo}/resolve/${encodeURIComponent(revision)}/${encodePath(path)}`;
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function authHeaders(config: HubConfig): Record<string, string> {
  return config.token ? { authorization: `Bearer ${config.token}` } : {};
}
