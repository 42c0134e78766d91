import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { ProcessRole } from './config.js';

/**
 * The one logger: pino, one JSON object a line (or pino-pretty's lines in a terminal). Callers pass
 * ids and codes, not configs or requests; the redaction below is the net for the day one does not.
 */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'json' | 'pretty';
export type LogFields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** A logger whose every line carries `bindings` too (a delivery's or a site's ids). */
  child(bindings: LogFields): Logger;
}

/**
 * Every secret field name of every auth method (auth/<method>/config.ts), of the OAuth token
 * exchange (both spellings: ours and the wire's), of HTTP headers that carry credentials, and of
 * this service's own settings. Matched by name at any depth down to four levels.
 */
export const SECRET_KEYS = [
  // basic, aws, aws-s3, jwt, oauth2, oauth2-client-credentials, oauth2-jwt-bearer
  'password',
  'secretAccessKey',
  'sessionToken',
  'secret',
  'privateKey',
  'consumerSecret',
  'clientSecret',
  // a site's secrets as one value, and their sealed (encrypted) form
  'secrets',
  'sealed',
  // tokens and the token endpoint's fields
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'client_assertion',
  'assertion',
  'code_verifier',
  'private_key',
  'apiKey',
  'api_key',
  // headers
  'authorization',
  'Authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-amz-security-token',
  'x-api-key',
  // settings
  'masterKey',
  'adminToken',
  'databaseUrl',
  'connectionString',
] as const;

const DEPTH = 4;

/** pino's redact paths for SECRET_KEYS: `key`, `*.key`, `*.*.key`, … (bracketed when not an identifier). */
export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => {
  const segment = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
  const paths: string[] = [];
  for (let depth = 0; depth < DEPTH; depth++) {
    const prefix = '*.'.repeat(depth);
    paths.push(segment.startsWith('[') ? `${prefix.replace(/\.$/, '')}${segment}` : `${prefix}${segment}`);
  }
  return paths;
});

export const REDACTED = '[redacted]';

/** Fields of every line; a caller's field of the same name is renamed so no line has a key twice. */
const OWN_KEYS = new Set(['level', 'time', 'pid', 'role', 'msg']);

/** Ids that scope a line (requestId, tokenId, …), carried by everything a request runs. */
const context = new AsyncLocalStorage<LogFields>();

const METADATA = Symbol.for('pino.metadata');
const ERROR_LEVEL = 50;

/**
 * Writes each line through process.stdout/stderr.write, synchronously (pipes, files and terminals
 * are synchronous on Linux, so a process.exit() right after a line loses nothing), and looked up at
 * each write so a test that replaces them sees every line. Errors go to stderr, as before pino.
 */
class ProcessOutput {
  [METADATA] = true;
  lastLevel = 0;
  constructor(private readonly pretty: ((line: string) => string) | undefined) {
    blockingWrites();
  }

  write(line: string): void {
    const target = this.lastLevel >= ERROR_LEVEL ? process.stderr : process.stdout;
    target.write(this.pretty ? this.pretty(line) : line);
  }
}

/**
 * A pipe is written synchronously only while the reader keeps up: once its buffer is full node
 * queues the rest, and process.exit() drops the queue (4,000 of 5,000 lines in log.test.ts). In
 * blocking mode each write waits for room instead, as pino's sync destination would — through
 * process.stdout, so other writers' lines keep their order. Files and terminals already block.
 */
let blocking = false;
function blockingWrites(): void {
  if (blocking) return;
  blocking = true;
  for (const stream of [process.stdout, process.stderr]) {
    (stream as unknown as { _handle?: { setBlocking?: (on: boolean) => unknown } })._handle?.setBlocking?.(true);
  }
}

const settings: { level: LogLevel; format: LogFormat | undefined; role: ProcessRole } = {
  level: parseLevel(process.env.LOG_LEVEL) ?? 'info',
  format: process.env.LOG_FORMAT === 'json' || process.env.LOG_FORMAT === 'pretty' ? process.env.LOG_FORMAT : undefined,
  role: process.env.TRUSTED_SITES_ROLE === 'api' || process.env.TRUSTED_SITES_ROLE === 'dispatcher' ? process.env.TRUSTED_SITES_ROLE : 'all',
};

function parseLevel(value: string | undefined): LogLevel | undefined {
  return value === 'silent' || value === 'error' || value === 'warn' || value === 'info' || value === 'debug' ? value : undefined;
}

/** An Error as its message: never a stack (paths of this machine) nor its other properties (a request's config). */
function errorMessage(value: unknown): unknown {
  return value instanceof Error ? value.message : value;
}

function build(): pino.Logger {
  const pretty = (settings.format ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty';
  return pino(
    {
      level: settings.level,
      base: { pid: process.pid, role: settings.role },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: { error: errorMessage, err: errorMessage },
    },
    new ProcessOutput(
      pretty ? prettyFactory({ colorize: Boolean(process.stdout.isTTY), singleLine: true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l', ignore: 'pid' }) : undefined,
    ),
  );
}

let root = build();

/** Applies the settings of config.ts (startApp); what is not given stays as it is. */
export function configureLog(options: { level?: LogLevel; format?: LogFormat; role?: ProcessRole }): void {
  if (options.level) settings.level = options.level;
  if ('format' in options) settings.format = options.format;
  if (options.role) settings.role = options.role;
  root = build();
}

export function setLogLevel(level: LogLevel): void {
  settings.level = level;
  root.level = level;
}

/** Runs `fn` so that every line logged by it and by what it starts carries `fields` too (and the ids already in scope). */
export function withLogContext<T>(fields: LogFields, fn: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, fn);
}

/**
 * Runs `fn` outside any request's scope: work that outlives the request that happened to start it
 * (the dispatcher's loop, woken by a sendWebhook) must not carry that request's id on its lines.
 */
export function withoutLogContext<T>(fn: () => T): T {
  return context.exit(fn);
}

/** Adds ids to the current scope (e.g. the API token, once the request's token is known). */
export function addLogContext(fields: LogFields): void {
  const store = context.getStore();
  if (store) Object.assign(store, fields);
}

function write(level: Exclude<LogLevel, 'silent'>, bindings: LogFields | undefined, message: string, fields: LogFields | undefined): void {
  if (!root.isLevelEnabled(level)) return;
  const merged: LogFields = { ...context.getStore(), ...bindings, ...fields };
  for (const key of Object.keys(merged)) {
    if (OWN_KEYS.has(key)) {
      merged[`${key}_`] = merged[key];
      delete merged[key];
    }
  }
  root[level](merged, message);
}

function logger(bindings: LogFields | undefined): Logger {
  return {
    error: (message, fields) => write('error', bindings, message, fields),
    warn: (message, fields) => write('warn', bindings, message, fields),
    info: (message, fields) => write('info', bindings, message, fields),
    debug: (message, fields) => write('debug', bindings, message, fields),
    child: (more) => logger({ ...bindings, ...more }),
  };
}

export const log: Logger = logger(undefined);
