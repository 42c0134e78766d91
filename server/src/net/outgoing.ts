import dns from 'node:dns';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, type Dispatcher, Pool, ProxyAgent, errors as undiciErrors } from 'undici';
import { NO_PROXY_SETTINGS, type ProxyEndpoint, type ProxySettings, proxyFor } from './proxy.js';

/**
 * Every request this service sends — webhooks, probes, token requests — goes through here:
 * keep-alive pools per origin, timeouts for connect / headers / body, a cap on how much of a
 * response is read, and (unless the operator allows them) no private, loopback, link-local or
 * metadata targets. The address check runs inside the connection's own DNS lookup, on the
 * addresses it then connects to, so a name cannot resolve to a public address for a check and a
 * private one for the connection.
 *
 * Through a forward proxy (HTTP_PROXY / HTTPS_PROXY, see proxy.ts) the proxy resolves the target,
 * so with the guard on the name is resolved and checked here before anything is sent:
 * - http:// targets are then tunnelled (CONNECT) to the checked address itself, the Host header
 *   still naming the site, so the proxy cannot resolve the name again to somewhere else (DNS
 *   rebinding, or a proxy whose DNS sees internal names);
 * - https:// targets are tunnelled to the name and the proxy resolves it again. A name that
 *   answers a public address here and a private one to the proxy still gets nothing: TLS is
 *   verified against the site's name, which no internal server holds a certificate for, so the
 *   handshake fails before a header or body is sent. (Pinning the address would also break proxies
 *   that allow destinations by name.)
 * The proxy's own address is the operator's choice and is never checked.
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
  /** Forward proxies by target scheme, and NO_PROXY; unset: every request goes out directly. */
  proxy?: ProxySettings;
  /** Certificate authorities trusted for receivers instead of Node's bundle (tests' self-signed receivers). */
  ca?: string[];
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  maxResponseBytes: number;
  /** Keep-alive connections per origin. */
  connectionsPerOrigin?: number;
}

/** A client certificate to present (mutual TLS): the chain and key in PEM, and the CAs for the server, if the site has its own. */
export interface ClientTls {
  /** Changes whenever any of the rest does: connections made with another version are not reused. */
  version: string;
  cert: string;
  key: string;
  /** Trusted for the server's certificate instead of the client's own (Node's bundle, or OutgoingOptions.ca). */
  ca: string | null;
}

/** The site a request is for and its client certificate now (null: none, and any connections made with an earlier one are dropped). */
export interface SiteTls {
  siteId: string;
  certificate: ClientTls | null;
}

export interface OutgoingRequestInit {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  signal?: AbortSignal;
  /** Overrides the client's cap for this request. */
  maxResponseBytes?: number;
  /** Present the site's client certificate: the request goes through that site's own agent (own pools and TLS sessions). */
  tls?: SiteTls;
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

/** The connect-time lookup of a proxied target took longer than the connect timeout. */
class LookupTimeoutError extends Error {}

/** A proxy answered an absolute-form request with 407: its answer, not the receiver's. */
class ProxyAuthenticationError extends Error {}

/**
 * What went wrong, for retry decisions and for people. `proxy` (host:port, never credentials) is
 * set when the request went through one: we then only ever connect to the proxy, so a refused or
 * unresolvable connection is the proxy's, and the proxy refusing the tunnel is a network failure
 * (retried), not an abort.
 */
function classify(error: unknown, proxy: string | undefined): { kind: OutgoingErrorKind; message: string } {
  let current = error as (Error & { code?: string; cause?: unknown }) | undefined;
  const via = proxy ? ` (through the proxy ${proxy})` : '';
  // undici wraps the connector's error; the guard's error may sit one level down.
  for (let depth = 0; current && depth < 4; depth++) {
    if (current instanceof BlockedTargetError) return { kind: 'blocked', message: current.message };
    if (current instanceof LookupTimeoutError) return { kind: 'timeout', message: 'timed out resolving the host' };
    if (proxy) {
      const tunnel = /^Proxy response \((\d+)\) !== 200/.exec(current.message ?? '');
      const status = tunnel ? Number(tunnel[1]) : current instanceof ProxyAuthenticationError || current.message === 'Proxy Authentication Required (407)' ? 407 : undefined;
      if (status === 407) return { kind: 'network', message: `the proxy ${proxy} refused our credentials (HTTP 407 Proxy Authentication Required)` };
      if (status !== undefined) return { kind: 'network', message: `the proxy ${proxy} refused the connection to the receiver (HTTP ${status})` };
      if (current.code === 'ECONNREFUSED') return { kind: 'connect', message: `could not connect to the proxy ${proxy}: connection refused` };
      if (current.code === 'ENOTFOUND' || current.code === 'EAI_AGAIN') return { kind: 'dns', message: `could not resolve the proxy ${proxy} (${current.code})` };
      if (current.code === 'UND_ERR_PRX_TLS') return { kind: 'tls', message: `TLS error with the proxy ${proxy}` };
    }
    if (current.code === 'ENOTFOUND' || current.code === 'EAI_AGAIN') return { kind: 'dns', message: `could not resolve the host (${current.code})` };
    if (current instanceof undiciErrors.ConnectTimeoutError) return { kind: 'timeout', message: `connect timed out${via}` };
    if (current instanceof undiciErrors.HeadersTimeoutError) return { kind: 'timeout', message: `timed out waiting for response headers${via}` };
    if (current instanceof undiciErrors.BodyTimeoutError) return { kind: 'timeout', message: `timed out reading the response body${via}` };
    if (current instanceof undiciErrors.RequestAbortedError || current.name === 'AbortError') return { kind: 'aborted', message: 'request aborted' };
    if (current.code === 'ECONNREFUSED') return { kind: 'connect', message: 'connection refused' };
    if (current.code === 'ECONNRESET' || current.code === 'UND_ERR_SOCKET') return { kind: 'network', message: proxy ? `connection reset${via}` : 'connection reset by the receiver' };
    // ERR_SSL_*: an alert from the receiver, e.g. a client certificate it does not accept (mutual TLS);
    // UNABLE_TO_VERIFY_LEAF_SIGNATURE: its certificate's issuer is not among the trusted CAs.
    if (current.code?.startsWith('ERR_TLS') || current.code?.startsWith('ERR_SSL') || current.code?.includes('CERT') || current.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') return { kind: 'tls', message: `TLS error (${current.code})${via}` };
    current = current.cause as typeof current;
  }
  const base = error as Error & { code?: string };
  // undici's own messages never hold the proxy URL; its code alone is shown when there is one.
  return { kind: 'network', message: base?.code ? `network error (${base.code})${via}` : `network error${via}: ${base?.message ?? String(error)}` };
}

/** Closes a site's replaced agents once the requests on them have finished (new requests already use the new ones). */
function closeQuietly(agents: SiteAgents): void {
  for (const agent of [agents.agent, ...agents.proxyAgents.values()]) agent.close().catch(() => undefined);
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
  /** The direct agent, or the proxy agent for the target's scheme. */
  dispatcher: Dispatcher;
  /** The proxy it goes through, if any (a site's own agents are chosen by it). */
  via: ProxyEndpoint | undefined;
  /** host:port of the proxy it goes through (for messages). */
  proxy: string | undefined;
  /** Through a proxy with the guard on: the name resolved and checked here before sending. */
  checkHost: string | undefined;
  /** http:// through a proxy with the guard on: sent to the checked address on this port, with this Host header. */
  pinned: { port: string; host: string } | undefined;
}

function failure(error: unknown, started: number, proxy?: string): OutgoingError {
  const { kind, message } = classify(error, proxy);
  return new OutgoingError(kind, message, performance.now() - started);
}

/** How long a proxied target's checked address is used before it is resolved again. */
const CHECKED_ADDRESS_TTL_MS = 30_000;

/** Resolves a name and refuses it if any address is private (as the direct path's guardedLookup does); IPv4 first, as most proxies reach it. */
function resolveChecked(hostname: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new LookupTimeoutError()), timeoutMs);
    dns.lookup(hostname, { all: true }, (error, addresses) => {
      clearTimeout(timer);
      if (error) return reject(error);
      const blocked = addresses.find((a) => isBlockedAddress(a.address));
      if (blocked) return reject(new BlockedTargetError(hostname, blocked.address));
      const chosen = addresses.find((a) => a.family === 4) ?? addresses[0];
      if (!chosen) return reject(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }));
      resolve(chosen.address);
    });
  });
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
    private readonly proxy: string | undefined,
  ) {
    if (signal) {
      // Before undici connected (a proxied target still being resolved, say) it settles at once.
      this.onAbortSignal = () => this.abort();
      signal.addEventListener('abort', this.onAbortSignal, { once: true });
    }
    inFlight.add(this);
  }

  /** Settled already (aborted while its target was being resolved, say). */
  get finished(): boolean {
    return this.settled;
  }

  /** Settles with an error already classified (a proxied target's own lookup). */
  failWith(error: OutgoingError): void {
    if (this.settle()) this.reject(error);
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
    if (statusCode === 407 && this.proxy) {
      // The proxy wants other credentials (sent in absolute form, its answer comes in the response's place).
      this.onError(new ProxyAuthenticationError());
      this.abortRequest?.(new undiciErrors.RequestAbortedError());
      return false;
    }
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
    if (this.settle()) this.reject(failure(error, this.started, this.proxy));
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

/** The agents of one site's client certificate, one version of it: direct, and per proxy URL. */
interface SiteAgents {
  version: string;
  agent: Agent;
  proxyAgents: Map<string, ProxyAgent>;
  /** performance.now() of its last request. */
  usedAt: number;
}

/**
 * A site's agents unused this long are closed (made again on its next request): a deleted site,
 * or one no longer sent to, does not keep its connections, or its key in memory, for the life of
 * the process.
 */
const SITE_AGENT_IDLE_MS = 10 * 60_000;

export class OutgoingHttp {
  /** Requests that go out directly. */
  readonly agent: Agent;
  /** One agent per proxy URL (HTTP_PROXY and HTTPS_PROXY may name the same one). */
  private readonly proxyAgents = new Map<string, ProxyAgent>();
  /**
   * Sites with a client certificate: their own agents, so a connection (and a resumed TLS session)
   * made with one site's certificate is never used for another site, nor after the certificate
   * changed. Keyed by site id; replaced (the old closed once its requests finish) on a new version.
   */
  private readonly siteAgents = new Map<string, SiteAgents>();
  private siteAgentsSweptAt = performance.now();
  private readonly proxy: ProxySettings;
  private readonly targets = new Map<string, Target>();
  private readonly inFlight = new Set<ResponseHandler>();
  /** Proxied targets' checked addresses (and lookups under way, shared by the requests waiting on them). */
  private readonly checkedHosts = new Map<string, { until: number; address: Promise<string> }>();

  constructor(private readonly options: OutgoingOptions) {
    this.proxy = options.proxy ?? NO_PROXY_SETTINGS;
    this.agent = this.directAgent(undefined);
  }

  /** TLS options for connections to receivers: the site's certificate and CAs, else the client's CAs. */
  private tlsOptions(certificate: ClientTls | undefined): { ca?: string | string[]; cert?: string; key?: string } {
    const ca = certificate?.ca ?? this.options.ca;
    return { ...(ca ? { ca } : {}), ...(certificate ? { cert: certificate.cert, key: certificate.key } : {}) };
  }

  /** A direct agent: the guard in its DNS lookup, the pool settings, and the TLS options. */
  private directAgent(certificate: ClientTls | undefined): Agent {
    const { connectTimeoutMs, allowPrivateTargets } = this.options;
    const tls = this.tlsOptions(certificate);
    return new Agent({
      ...this.poolOptions(),
      connectTimeout: connectTimeoutMs,
      connect: allowPrivateTargets ? { timeout: connectTimeoutMs, ...tls } : { timeout: connectTimeoutMs, lookup: guardedLookup as never, ...tls },
    });
  }

  /** Keep-alive pooling and timeouts: the same for every pool, direct or through a proxy. */
  private poolOptions() {
    return {
      connections: this.options.connectionsPerOrigin ?? 128,
      keepAliveTimeout: 30_000,
      headersTimeout: this.options.headersTimeoutMs,
      bodyTimeout: this.options.bodyTimeoutMs,
    };
  }

  /**
   * undici's ProxyAgent for one proxy: a pool per target origin with the direct pools' settings,
   * the connect timeout on the connection to the proxy, on its CONNECT answer and on the TLS
   * handshake through the tunnel. http:// targets are sent in absolute form (GET http://host/…),
   * which every proxy accepts, unless the guard is on: they are then tunnelled to the checked
   * address (see the top of this file).
   */
  private proxyAgent(proxy: ProxyEndpoint, certificate?: ClientTls, agents = this.proxyAgents): ProxyAgent {
    const known = agents.get(proxy.url);
    if (known) return known;
    const { connectTimeoutMs } = this.options;
    const pool = this.poolOptions();
    const agent = new ProxyAgent({
      uri: proxy.url,
      ...pool,
      proxyTunnel: !this.options.allowPrivateTargets,
      proxyTls: { timeout: connectTimeoutMs },
      // The client certificate is presented to the receiver, inside the tunnel; never to the proxy.
      requestTls: { timeout: connectTimeoutMs, ...this.tlsOptions(certificate) },
      // Target pools, and (absolute form) the pool to the proxy that carries them.
      factory: (origin: string | URL, options: object) => new Pool(origin, { ...pool, ...options }),
      // The CONNECT requests: their answer includes the proxy's own connect to the target.
      clientFactory: (origin: string | URL, options: object) => new Pool(origin, { ...options, headersTimeout: connectTimeoutMs }),
    } as ProxyAgent.Options);
    agents.set(proxy.url, agent);
    return agent;
  }

  /**
   * The dispatcher for a request: the shared one, or the site's own when it has a client
   * certificate (made on first use, made anew when the certificate's version changed). A site
   * whose certificate was removed has its agents closed.
   */
  private dispatcherFor(target: Target, tls: SiteTls | undefined): Dispatcher {
    if (!tls) return target.dispatcher;
    const now = performance.now();
    if (now - this.siteAgentsSweptAt > 60_000) this.sweepSiteAgents(now);
    let agents = this.siteAgents.get(tls.siteId);
    const certificate = tls.certificate;
    if (agents && agents.version !== certificate?.version) {
      this.siteAgents.delete(tls.siteId);
      closeQuietly(agents);
      agents = undefined;
    }
    if (!certificate) return target.dispatcher;
    if (!agents) {
      agents = { version: certificate.version, agent: this.directAgent(certificate), proxyAgents: new Map(), usedAt: now };
      this.siteAgents.set(tls.siteId, agents);
    }
    agents.usedAt = now;
    return target.via ? this.proxyAgent(target.via, certificate, agents.proxyAgents) : agents.agent;
  }

  /** Closes the site agents idle for SITE_AGENT_IDLE_MS (close() still lets a request on them finish). */
  private sweepSiteAgents(now: number): void {
    this.siteAgentsSweptAt = now;
    for (const [siteId, agents] of this.siteAgents) {
      if (now - agents.usedAt < SITE_AGENT_IDLE_MS) continue;
      this.siteAgents.delete(siteId);
      closeQuietly(agents);
    }
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
    let dispatcher: Dispatcher;
    try {
      dispatcher = this.dispatcherFor(target, init.tls);
    } catch (error) {
      // undici refuses a certificate or key it cannot use when the agent is made.
      return Promise.reject(failure(error, started));
    }
    return new Promise<OutgoingResponse>((resolve, reject) => {
      const handler = new ResponseHandler(started, init.maxResponseBytes ?? this.options.maxResponseBytes, signal, this.inFlight, resolve, reject, target.proxy);
      if (target.checkHost === undefined) {
        this.dispatch(dispatcher, target, target.origin, init.headers, init, handler);
        return;
      }
      this.checkedAddress(target.checkHost).then(
        (address) => {
          // Aborted (its signal, abortAll) while the name was being resolved: nothing is sent.
          if (handler.finished) return;
          if (signal?.aborted) return handler.abort();
          if (!target.pinned) return this.dispatch(dispatcher, target, target.origin, init.headers, init, handler);
          const ip = net.isIPv6(address) ? `[${address}]` : address;
          this.dispatch(dispatcher, target, `http://${ip}:${target.pinned.port}`, { ...init.headers, host: target.pinned.host }, init, handler);
        },
        (error) => handler.failWith(failure(error, started)),
      );
    });
  }

  private dispatch(dispatcher: Dispatcher, target: Target, origin: string, headers: Record<string, string>, init: OutgoingRequestInit, handler: ResponseHandler): void {
    try {
      dispatcher.dispatch({ origin, path: target.path, method: init.method as never, headers, body: init.body }, handler as never);
    } catch (error) {
      handler.onError(error as Error);
    }
  }

  /**
   * A proxied target's address, resolved and checked here (the proxy resolves it for itself). A
   * checked answer is kept a short while: a webhook burst to one site costs one lookup, and
   * pinned requests go to the very address checked, so keeping it cannot let a private one in.
   */
  private checkedAddress(hostname: string): Promise<string> {
    const now = performance.now();
    const known = this.checkedHosts.get(hostname);
    if (known && known.until > now) return known.address;
    const address = resolveChecked(hostname, this.options.connectTimeoutMs);
    const entry = { until: now + CHECKED_ADDRESS_TTL_MS, address };
    if (this.checkedHosts.size >= 1000) this.checkedHosts.delete(this.checkedHosts.keys().next().value!);
    this.checkedHosts.set(hostname, entry);
    // A failed lookup is not kept: the next request asks again.
    address.catch(() => {
      if (this.checkedHosts.get(hostname) === entry) this.checkedHosts.delete(hostname);
    });
    return address;
  }

  /** A URL's origin, path and route, checked against the private-address rule; the last few are kept (webhooks go to few URLs, many times). */
  private targetOf(url: string): Target {
    const known = this.targets.get(url);
    if (known) return known;
    const parsed = new URL(url);
    this.checkTargetUrl(parsed);
    const proxy = proxyFor(this.proxy, parsed);
    let target: Target;
    if (!proxy) {
      target = { origin: parsed.origin, path: parsed.pathname + parsed.search, dispatcher: this.agent, via: undefined, proxy: undefined, checkHost: undefined, pinned: undefined };
    } else {
      const host = parsed.hostname.replace(/^\[|\]$/g, '');
      // IP literals were checked above; names are resolved and checked per request (cached).
      const checkHost = this.options.allowPrivateTargets || net.isIP(host) ? undefined : host;
      const pinned = checkHost && parsed.protocol === 'http:' ? { port: parsed.port || '80', host: parsed.host } : undefined;
      target = { origin: parsed.origin, path: parsed.pathname + parsed.search, dispatcher: this.proxyAgent(proxy), via: proxy, proxy: proxy.display, checkHost, pinned };
    }
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
    const siteAgents = [...this.siteAgents.values()].flatMap((s) => [s.agent, ...s.proxyAgents.values()]);
    this.siteAgents.clear();
    await Promise.all([this.agent.close(), ...[...this.proxyAgents.values()].map((agent) => agent.close()), ...siteAgents.map((agent) => agent.close())]);
  }
}
