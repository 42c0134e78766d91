import dns from 'node:dns';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, errors as undiciErrors } from 'undici';

/**
 * Every request this service sends — webhooks, probes, token requests — goes through here:
 * keep-alive pools per origin, timeouts for connect / headers / body, a cap on how much of a
 * response is read, and (unless the operator allows them) no private, loopback, link-local or
 * metadata targets. The address check runs inside the connection's own DNS lookup, on the
 * addresses it then connects to, so a name cannot resolve to a public address for a check and a
 * private one for the connection.
 */

const BLOCKED = new net.BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  BLOCKED.addSubnet(address, prefix, 'ipv4');
}
for (const [address, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local, incl. fd00:ec2::254 metadata
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['2001:db8::', 32], // documentation
  ['100::', 64], // discard
] as const) {
  BLOCKED.addSubnet(address, prefix, 'ipv6');
}

/** Whether an IP address is one outgoing requests refuse by default. */
export function isBlockedAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) {
    const lower = address.toLowerCase();
    // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses carry an IPv4 target.
    const embedded = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    if (embedded) return isBlockedAddress(embedded[1]!);
    const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
    if (mappedHex) {
      const hi = parseInt(mappedHex[1]!, 16);
      const lo = parseInt(mappedHex[2]!, 16);
      return isBlockedAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
    }
    return BLOCKED.check(address, 'ipv6');
  }
  return true;
}

export class BlockedTargetError extends Error {
  readonly code = 'BLOCKED_TARGET';
  constructor(host: string, address: string) {
    super(`refused to connect to ${host} (${address}): private, loopback and link-local addresses are not allowed (ALLOW_PRIVATE_TARGETS)`);
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '');
    const list = addresses as dns.LookupAddress[];
    const blocked = list.find((a) => isBlockedAddress(a.address));
    if (blocked) return callback(new BlockedTargetError(hostname, blocked.address) as NodeJS.ErrnoException, '');
    if (options.all) return callback(null, list);
    return callback(null, list[0]!.address, list[0]!.family);
  });
}

export interface OutgoingOptions {
  allowPrivateTargets: boolean;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  maxResponseBytes: number;
  /** Keep-alive connections per origin. */
  connectionsPerOrigin?: number;
}

export interface OutgoingRequestInit {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  signal?: AbortSignal;
  /** Overrides the client's cap for this request. */
  maxResponseBytes?: number;
}

export interface OutgoingResponse {
  status: number;
  headers: Record<string, string>;
  /** At most `maxResponseBytes` of the body. */
  body: Buffer;
  truncated: boolean;
  /** From the start of the request to the end of the (capped) body. */
  durationMs: number;
}

/** A failure before a response: what kind it was, for retry decisions and for people. */
export type OutgoingErrorKind = 'blocked' | 'dns' | 'connect' | 'timeout' | 'tls' | 'network' | 'aborted';

export class OutgoingError extends Error {
  constructor(
    readonly kind: OutgoingErrorKind,
    message: string,
    readonly durationMs: number,
  ) {
    super(message);
  }
}

function classify(error: unknown): { kind: OutgoingErrorKind; message: string } {
  let current = error as (Error & { code?: string; cause?: unknown }) | undefined;
  // undici wraps the connector's error; the guard's error may sit one level down.
  for (let depth = 0; current && depth < 4; depth++) {
    if (current instanceof BlockedTargetError) return { kind: 'blocked', message: current.message };
    if (current.code === 'ENOTFOUND' || current.code === 'EAI_AGAIN') return { kind: 'dns', message: `could not resolve the host (${current.code})` };
    if (current instanceof undiciErrors.ConnectTimeoutError) return { kind: 'timeout', message: 'connect timed out' };
    if (current instanceof undiciErrors.HeadersTimeoutError) return { kind: 'timeout', message: 'timed out waiting for response headers' };
    if (current instanceof undiciErrors.BodyTimeoutError) return { kind: 'timeout', message: 'timed out reading the response body' };
    if (current instanceof undiciErrors.RequestAbortedError || current.name === 'AbortError') return { kind: 'aborted', message: 'request aborted' };
    if (current.code === 'ECONNREFUSED') return { kind: 'connect', message: 'connection refused' };
    if (current.code === 'ECONNRESET' || current.code === 'UND_ERR_SOCKET') return { kind: 'network', message: 'connection reset by the receiver' };
    if (current.code?.startsWith('ERR_TLS') || current.code?.includes('CERT')) return { kind: 'tls', message: `TLS error (${current.code})` };
    current = current.cause as typeof current;
  }
  const base = error as Error & { code?: string };
  return { kind: 'network', message: base?.code ? `network error (${base.code})` : `network error: ${base?.message ?? String(error)}` };
}

/** Response headers as one string each, names lower-case, repeated ones joined with ", ". */
function joinHeaders(raw: Buffer[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    if (Object.hasOwn(headers, name)) headers[name] = `${headers[name]}, ${value}`;
    else if (name === '__proto__') Object.defineProperty(headers, name, { value, enumerable: true, configurable: true, writable: true });
    else headers[name] = value;
  }
  return headers;
}

interface Target {
  origin: string;
  path: string;
}

function failure(error: unknown, started: number): OutgoingError {
  const { kind, message } = classify(error);
  return new OutgoingError(kind, message, performance.now() - started);
}

/**
 * undici's dispatch handler for one request: collects the status, headers and up to `cap` bytes
 * of the body, then settles the promise once. A class, so a request costs one object, not a set
 * of closures.
 */
class ResponseHandler {
  private settled = false;
  private abortRequest: ((reason?: Error) => void) | undefined;
  private status = 0;
  private headers: Record<string, string> = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private readonly onAbortSignal: (() => void) | undefined;

  constructor(
    private readonly started: number,
    private readonly cap: number,
    private readonly signal: AbortSignal | undefined,
    private readonly inFlight: Set<ResponseHandler>,
    private readonly resolve: (response: OutgoingResponse) => void,
    private readonly reject: (error: Error) => void,
  ) {
    if (signal) {
      this.onAbortSignal = () => this.abortRequest?.(new undiciErrors.RequestAbortedError());
      signal.addEventListener('abort', this.onAbortSignal, { once: true });
    }
    inFlight.add(this);
  }

  abort(): void {
    if (this.abortRequest) this.abortRequest(new undiciErrors.RequestAbortedError());
    else this.onError(new undiciErrors.RequestAbortedError());
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.abortRequest = abort;
    // Aborted before undici connected (abort() settled it already), or the caller's signal fired.
    if (this.settled || this.signal?.aborted) abort(new undiciErrors.RequestAbortedError());
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.status = statusCode;
    this.headers = joinHeaders(rawHeaders);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled) return false;
    if (this.size + chunk.length > this.cap) {
      this.chunks.push(chunk.subarray(0, this.cap - this.size));
      this.size = this.cap;
      this.done(true);
      this.abortRequest?.(new undiciErrors.RequestAbortedError());
      return false;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }

  onComplete(): void {
    this.done(false);
  }

  onError(error: Error): void {
    if (this.settle()) this.reject(failure(error, this.started));
  }

  private done(truncated: boolean): void {
    if (!this.settle()) return;
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    this.resolve({ status: this.status, headers: this.headers, body, truncated, durationMs: performance.now() - this.started });
  }

  /** True the first time: the caller settles the promise. */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.inFlight.delete(this);
    if (this.onAbortSignal) this.signal!.removeEventListener('abort', this.onAbortSignal);
    return true;
  }
}

export class OutgoingHttp {
  readonly agent: Agent;
  private readonly targets = new Map<string, Target>();
  private readonly inFlight = new Set<ResponseHandler>();

  constructor(private readonly options: OutgoingOptions) {
    this.agent = new Agent({
      connections: options.connectionsPerOrigin ?? 128,
      keepAliveTimeout: 30_000,
      connectTimeout: options.connectTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
      connect: options.allowPrivateTargets ? { timeout: options.connectTimeoutMs } : { timeout: options.connectTimeoutMs, lookup: guardedLookup as never },
    });
  }

  /** Refuses an IP-literal target before connecting (no DNS lookup runs for those). */
  checkTarget(url: string): void {
    this.checkTargetUrl(new URL(url));
  }

  /**
   * One request through the agent's own dispatch with plain callbacks: no response stream, no
   * async iteration, no promise per chunk, no closures (this runs for every webhook; see
   * `ResponseHandler`). The body read stops at the cap (the connection is then dropped, as an
   * unread body would leave it unusable).
   */
  send(init: OutgoingRequestInit): Promise<OutgoingResponse> {
    const started = performance.now();
    let target: Target;
    try {
      target = this.targetOf(init.url);
    } catch (error) {
      return Promise.reject(failure(error, started));
    }
    const signal = init.signal;
    if (signal?.aborted) return Promise.reject(failure(new undiciErrors.RequestAbortedError(), started));
    return new Promise<OutgoingResponse>((resolve, reject) => {
      const handler = new ResponseHandler(started, init.maxResponseBytes ?? this.options.maxResponseBytes, signal, this.inFlight, resolve, reject);
      try {
        this.agent.dispatch({ origin: target.origin, path: target.path, method: init.method as never, headers: init.headers, body: init.body }, handler as never);
      } catch (error) {
        handler.onError(error as Error);
      }
    });
  }

  /** A URL's origin and path, checked against the private-address rule; the last few are kept (webhooks go to few URLs, many times). */
  private targetOf(url: string): Target {
    const known = this.targets.get(url);
    if (known) return known;
    const parsed = new URL(url);
    this.checkTargetUrl(parsed);
    const target = { origin: parsed.origin, path: parsed.pathname + parsed.search };
    if (this.targets.size >= 1000) this.targets.delete(this.targets.keys().next().value!);
    this.targets.set(url, target);
    return target;
  }

  private checkTargetUrl(url: URL): void {
    if (this.options.allowPrivateTargets) return;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (net.isIP(host) && isBlockedAddress(host)) throw new BlockedTargetError(host, host);
  }

  /** Aborts every request on the wire (cheaper than an abort listener per request for a caller that only ever aborts all). */
  abortAll(): void {
    for (const handler of [...this.inFlight]) handler.abort();
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
