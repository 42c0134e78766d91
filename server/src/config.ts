import path from 'node:path';
import { type ProxySettings, ProxySettingsError, readProxySettings } from './net/proxy.js';

/** Which parts of the product a process runs (docs/specification.md §6: many processes may share one database). */
export type ProcessRole = 'all' | 'api' | 'dispatcher';

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  /** Unset: an embedded PostgreSQL is started under `dataDir/pg`. */
  databaseUrl: string | undefined;
  /** Where the master keys that seal stored secrets come from (crypto/keyring.ts). */
  masterKeys: MasterKeySource;
  adminToken: string | undefined;
  allowPrivateTargets: boolean;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY (net/proxy.ts): every outgoing request's forward proxy, if any. */
  proxy: ProxySettings;
  role: ProcessRole;
  logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /** Unset: pretty (pino-pretty) when stdout is a terminal, JSON lines otherwise. */
  logFormat: 'json' | 'pretty' | undefined;
  dispatch: DispatchConfig;
  tokens: TokenConfig;
  retention: RetentionConfig;
  breaker: BreakerConfig;
  metrics: MetricsConfig;
  tracing: TracingConfig;
}

/** OpenTelemetry traces (tracing/): off unless an OTLP endpoint is set. */
export interface TracingConfig {
  /** Where spans are exported (OTLP/HTTP, JSON); unset: tracing is off. */
  endpoint: string | undefined;
  /** The resource's service.name (OTEL_SERVICE_NAME; OTEL_RESOURCE_ATTRIBUTES may also set it). */
  serviceName: string;
}

/** GET /metrics (metrics/): who may read it, and how many sites get a label of their own. */
export interface MetricsConfig {
  /** Serve /metrics on this port too, on HOST, without authentication (0: any free port). */
  port: number | undefined;
  /** When set, /metrics on the main port needs `Bearer <token>`; unset (and no port): an ADMIN API token. */
  token: string | undefined;
  /** Sites with their own `site` label; later ones are counted under site="other". */
  maxSites: number;
}

/** Per-site circuit breaker and automatic disabling (breaker/): the deployment's defaults; a site may set its own. */
export interface BreakerConfig {
  /** Consecutive failed attempts that open a site's breaker. */
  failureThreshold: number;
  /** Open also when every attempt (at least 2) has failed for this long; 0: off. */
  failureWindowSeconds: number;
  /** A site failing continuously this long is set INACTIVE; 0: never. */
  autoDisableAfterSeconds: number;
  /** The first pause before the probe; each further opening doubles it, up to pauseMaxMs. */
  pauseBaseMs: number;
  pauseMaxMs: number;
}

/** Removing finished deliveries (retention/), in processes that send. */
export interface RetentionConfig {
  /**
   * SUCCEEDED and FAILED deliveries last changed more than this many days ago are deleted with
   * their attempts; 0 keeps every delivery. Deliveries still to be sent are never deleted.
   */
  days: number;
  /** Audit events older than this many days are deleted by the same job; 0 keeps every one. */
  auditDays: number;
  /** Site events (breaker/) older than this many days are deleted by the same job; 0 keeps every one. */
  siteEventDays: number;
  /** How often a sending process looks for them (the first time shortly after it starts). */
  intervalMs: number;
}

/** OAuth2 token lifecycle (oauth/). */
export interface TokenConfig {
  /**
   * Renewal starts this long before a token expires (capped at a quarter of the token's lifetime,
   * so short-lived tokens are not renewed continuously). Default 300 s.
   */
  refreshMarginSeconds: number;
  /** How often each process looks for tokens that expire or need renewal; EXPIRED is published within this. */
  watchIntervalMs: number;
  /** After a token request fails for a reason that may pass (network, 5xx), automatic retries wait this long. */
  retryAfterFailureSeconds: number;
}

export interface DispatchConfig {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** Delay before retry n (1-based) is `min(maxDelayMs, baseDelayMs * 2^(n-1))`, then full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** How much of a response body is read; the rest is dropped. */
  maxResponseBytes: number;
  /** How much of it is stored with the attempt. */
  responseExcerptBytes: number;
  /** A claimed delivery whose process has not finished it in this time is claimed again. */
  leaseMs: number;
  /** On SIGTERM, in-flight sends get this long to finish. */
  shutdownGraceMs: number;
  pollIntervalMs: number;
  /** Most requests one dispatcher process has in flight, over all sites (its share of every site's `threads`). */
  concurrency: number;
  /** Most deliveries one claim takes for one site. */
  claimBatch: number;
  /**
   * Rate slots are spaced `(1000 + rateMarginMs) / maxRps` ms apart, and a slot more than a third
   * of the margin late is given up rather than used: so a receiver counting in any one-second
   * window sees at most maxRps even with the rest of the margin as timing jitter between sending
   * and arrival, at the price of margin/1000 of the rate.
   */
  rateMarginMs: number;
  /** How far ahead of now a claim reserves rate slots; bigger batches, slower reaction to limit changes. */
  rateLookaheadMs: number;
}

/**
 * Exactly one source of master keys; with none, `DATA_DIR/master.key` (made on first start). A
 * list's first key seals, every key listed opens (so a key can be added, then rotated to, then removed).
 */
export type MasterKeySource =
  | { kind: 'list'; setting: 'TRUSTED_SITES_MASTER_KEY' | 'TRUSTED_SITES_MASTER_KEYS'; text: string }
  | { kind: 'file'; path: string }
  | { kind: 'command'; command: string; timeoutMs: number }
  | { kind: 'data-dir' };

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number, hint?: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}${hint ? ` (${hint})` : ''}, got "${raw}"`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

const MASTER_KEY_SETTINGS = ['TRUSTED_SITES_MASTER_KEY', 'TRUSTED_SITES_MASTER_KEYS', 'TRUSTED_SITES_MASTER_KEY_FILE', 'TRUSTED_SITES_MASTER_KEY_COMMAND'] as const;

function masterKeySource(env: Env): MasterKeySource {
  const set = MASTER_KEY_SETTINGS.filter((name) => env[name]?.trim());
  // Two sources would leave which key seals to the order they happen to be read in.
  if (set.length > 1) throw new ConfigError(`set one of ${set.join(', ')}, not ${set.length}: each is a whole list of master keys`);
  const timeoutMs = integer(env, 'TRUSTED_SITES_MASTER_KEY_COMMAND_TIMEOUT_MS', 10_000, 100, 300_000, 'milliseconds');
  switch (set[0]) {
    case undefined:
      return { kind: 'data-dir' };
    case 'TRUSTED_SITES_MASTER_KEY':
    case 'TRUSTED_SITES_MASTER_KEYS':
      return { kind: 'list', setting: set[0], text: env[set[0]]! };
    case 'TRUSTED_SITES_MASTER_KEY_FILE':
      return { kind: 'file', path: path.resolve(env.TRUSTED_SITES_MASTER_KEY_FILE!.trim()) };
    case 'TRUSTED_SITES_MASTER_KEY_COMMAND':
      return { kind: 'command', command: env.TRUSTED_SITES_MASTER_KEY_COMMAND!, timeoutMs };
    default: {
      const never: never = set[0];
      throw new ConfigError(`unknown master key setting ${String(never)}`);
    }
  }
}

function proxyConfig(env: Env): ProxySettings {
  try {
    return readProxySettings(env);
  } catch (error) {
    if (error instanceof ProxySettingsError) throw new ConfigError(error.message);
    throw error;
  }
}

/** Reads every setting once, at start; a bad value stops the process with a message naming it. */
export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 4000, 0, 65535);
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    const parsed = new URL(publicUrl);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error();
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute http(s) URL, got "${publicUrl}"`);
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  return {
    port,
    host: env.HOST || '0.0.0.0',
    publicUrl,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    databaseUrl,
    masterKeys: masterKeySource(env),
    adminToken: env.TRUSTED_SITES_ADMIN_TOKEN || undefined,
    allowPrivateTargets: flag(env, 'ALLOW_PRIVATE_TARGETS', false),
    proxy: proxyConfig(env),
    role: oneOf(env, 'TRUSTED_SITES_ROLE', ['all', 'api', 'dispatcher'] as const, 'all'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['silent', 'error', 'warn', 'info', 'debug'] as const, 'info'),
    logFormat: env.LOG_FORMAT ? oneOf(env, 'LOG_FORMAT', ['json', 'pretty'] as const, 'json') : undefined,
    dispatch: {
      maxAttempts: integer(env, 'DISPATCH_MAX_ATTEMPTS', 8, 1, 100),
      baseDelayMs: integer(env, 'DISPATCH_RETRY_BASE_MS', 1000, 1, 3_600_000),
      maxDelayMs: integer(env, 'DISPATCH_RETRY_MAX_MS', 3_600_000, 1, 86_400_000),
      connectTimeoutMs: integer(env, 'DISPATCH_CONNECT_TIMEOUT_MS', 5000, 10, 120_000),
      headersTimeoutMs: integer(env, 'DISPATCH_HEADERS_TIMEOUT_MS', 15_000, 10, 600_000),
      bodyTimeoutMs: integer(env, 'DISPATCH_BODY_TIMEOUT_MS', 15_000, 10, 600_000),
      maxResponseBytes: integer(env, 'DISPATCH_MAX_RESPONSE_BYTES', 65_536, 0, 16_777_216),
      responseExcerptBytes: integer(env, 'DISPATCH_RESPONSE_EXCERPT_BYTES', 2048, 0, 65_536),
      leaseMs: integer(env, 'DISPATCH_LEASE_MS', 60_000, 1000, 3_600_000),
      shutdownGraceMs: integer(env, 'DISPATCH_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
      pollIntervalMs: integer(env, 'DISPATCH_POLL_MS', 1000, 10, 60_000),
      concurrency: integer(env, 'DISPATCH_CONCURRENCY', 512, 1, 10_000),
      claimBatch: integer(env, 'DISPATCH_CLAIM_BATCH', 256, 1, 10_000),
      rateMarginMs: integer(env, 'DISPATCH_RATE_MARGIN_MS', 30, 0, 500),
      rateLookaheadMs: integer(env, 'DISPATCH_RATE_LOOKAHEAD_MS', 100, 10, 5000),
    },
    tokens: {
      refreshMarginSeconds: integer(env, 'TOKEN_REFRESH_MARGIN_SECONDS', 300, 0, 3600),
      watchIntervalMs: integer(env, 'TOKEN_WATCH_INTERVAL_MS', 1000, 50, 60_000),
      retryAfterFailureSeconds: integer(env, 'TOKEN_RETRY_AFTER_FAILURE_SECONDS', 30, 1, 3600),
    },
    retention: {
      days: integer(env, 'DELIVERY_RETENTION_DAYS', 30, 0, 36_500, 'days; 0 keeps every delivery'),
      auditDays: integer(env, 'AUDIT_RETENTION_DAYS', 365, 0, 36_500, 'days; 0 keeps every audit event'),
      siteEventDays: integer(env, 'SITE_EVENT_RETENTION_DAYS', 90, 0, 36_500, 'days; 0 keeps every site event'),
      intervalMs: integer(env, 'DELIVERY_RETENTION_INTERVAL_MS', 600_000, 1000, 86_400_000, 'milliseconds between runs'),
    },
    breaker: breakerConfig(env),
    metrics: metricsConfig(env, port),
    tracing: tracingConfig(env),
  };
}

/**
 * The OTLP/HTTP traces URL as the exporter would read it: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as
 * given, else OTEL_EXPORTER_OTLP_ENDPOINT with /v1/traces appended. OTEL_SDK_DISABLED=true turns
 * tracing off whatever is set (the specification's switch).
 */
function tracingConfig(env: Env): TracingConfig {
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || 'trusted-sites';
  if (flag(env, 'OTEL_SDK_DISABLED', false)) return { endpoint: undefined, serviceName };
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const general = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const name = specific ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const raw = specific || general;
  if (!raw) return { endpoint: undefined, serviceName };
  let url: URL;
  try {
    url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
  } catch {
    // Not quoted: a collector URL may carry credentials.
    throw new ConfigError(`${name} must be an absolute http(s) URL (the OTLP/HTTP collector, e.g. http://localhost:4318)`);
  }
  if (!specific) url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/traces`;
  return { endpoint: url.toString(), serviceName };
}

function breakerConfig(env: Env): BreakerConfig {
  const pauseBaseMs = integer(env, 'BREAKER_PAUSE_BASE_MS', 30_000, 10, 3_600_000, 'milliseconds');
  const pauseMaxMs = integer(env, 'BREAKER_PAUSE_MAX_MS', 1_800_000, 10, 86_400_000, 'milliseconds');
  // A longest pause below the first would silently shorten the first: say so instead.
  if (pauseMaxMs < pauseBaseMs) throw new ConfigError(`BREAKER_PAUSE_MAX_MS (${pauseMaxMs}) must be at least BREAKER_PAUSE_BASE_MS (${pauseBaseMs})`);
  return {
    failureThreshold: integer(env, 'BREAKER_FAILURE_THRESHOLD', 20, 1, 10_000, 'consecutive failed attempts'),
    failureWindowSeconds: integer(env, 'BREAKER_FAILURE_WINDOW_SECONDS', 300, 0, 604_800, 'seconds; 0 turns the rule off'),
    autoDisableAfterSeconds: integer(env, 'BREAKER_AUTO_DISABLE_SECONDS', 259_200, 0, 7_776_000, 'seconds; 0 never disables'),
    pauseBaseMs,
    pauseMaxMs,
  };
}

function metricsConfig(env: Env, port: number): MetricsConfig {
  const metricsPort = env.METRICS_PORT === undefined || env.METRICS_PORT === '' ? undefined : integer(env, 'METRICS_PORT', 0, 0, 65535);
  if (metricsPort !== undefined && metricsPort !== 0 && metricsPort === port) {
    throw new ConfigError(`METRICS_PORT must differ from PORT (${port}): it serves /metrics without authentication`);
  }
  const token = env.METRICS_TOKEN || undefined;
  // A scraper's secret sits in a config file: long enough that guessing it is not an option.
  if (token !== undefined && (token.length < 16 || !/^[\x21-\x7e]+$/.test(token))) {
    throw new ConfigError('METRICS_TOKEN must be at least 16 printable characters without spaces');
  }
  return { port: metricsPort, token, maxSites: integer(env, 'METRICS_MAX_SITES', 500, 1, 100_000, 'sites with a label of their own') };
}
