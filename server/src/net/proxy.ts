/**
 * Egress through a forward proxy: which proxy a target goes through, read from HTTP_PROXY,
 * HTTPS_PROXY and NO_PROXY the way undici's EnvHttpProxyAgent reads them (same NO_PROXY
 * matching), but once, at start, and checked — so a typo stops the process instead of sending
 * every webhook straight out past the address partners allowlisted.
 */

/** The proxy settings, checked. A proxy URL may hold credentials: never log or show `url`. */
export interface ProxySettings {
  /** For http:// targets; unset: they go out directly. */
  http: ProxyEndpoint | undefined;
  /** For https:// targets; unset: HTTP_PROXY's proxy, as undici does. */
  https: ProxyEndpoint | undefined;
  /** NO_PROXY: targets reached directly. */
  noProxy: NoProxy;
}

export interface ProxyEndpoint {
  /** The whole URL, credentials included: for undici only. */
  url: string;
  /** host:port, for messages and logs (never the credentials). */
  display: string;
  /** Whether the URL carries a user name (Proxy-Authorization is then sent). */
  authenticated: boolean;
}

/** `'*'`: nothing is proxied; else hosts (and their subdomains), each optionally on one port. */
export type NoProxy = '*' | ReadonlyArray<{ hostname: string; port: number }>;

export class ProxySettingsError extends Error {}

type Env = Record<string, string | undefined>;

/**
 * One of the lower- and upper-case forms. undici lets a set lower-case one win; two different
 * values are refused here rather than one silently ignored (curl, Go and Python disagree on
 * which wins).
 */
function either(env: Env, upper: string): { name: string; value: string } | undefined {
  const lower = upper.toLowerCase();
  const a = env[lower]?.trim() || undefined;
  const b = env[upper]?.trim() || undefined;
  if (a !== undefined && b !== undefined && a !== b) {
    throw new ProxySettingsError(`${lower} and ${upper} are both set, to different values: set one of them`);
  }
  if (a !== undefined) return { name: lower, value: a };
  if (b !== undefined) return { name: upper, value: b };
  return undefined;
}

function endpoint(name: string, raw: string): ProxyEndpoint {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Never quoted: the value may hold the proxy's password.
    throw new ProxySettingsError(`${name} must be a proxy URL such as http://proxy.internal:3128 (with a scheme; the value is not shown, it may hold credentials)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // Not even the scheme is shown: in "user:password@host" it is the user name.
    throw new ProxySettingsError(`${name} must be an http:// or https:// proxy URL such as http://proxy.internal:3128, the scheme written out (socks is not supported; the value is not shown, it may hold credentials)`);
  }
  if (!url.hostname) throw new ProxySettingsError(`${name} has no host (the value is not shown, it may hold credentials)`);
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    throw new ProxySettingsError(`${name} must be scheme://[user:password@]host:port with no path, query or fragment (the value is not shown, it may hold credentials)`);
  }
  if (url.username && !url.password) {
    // undici sends Proxy-Authorization only with both; a user name alone would be dropped without a word.
    throw new ProxySettingsError(`${name} has a user name but no password: give both (user:password@) or neither`);
  }
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return { url: url.href, display: `${url.hostname}:${port}`, authenticated: url.username !== '' };
}

/** NO_PROXY as undici parses it: comma- or space-separated, `host`, `.host`, `*.host`, `host:port`, or `*`. */
export function parseNoProxy(value: string): NoProxy {
  if (value.trim() === '*') return '*';
  const entries: Array<{ hostname: string; port: number }> = [];
  for (const entry of value.split(/[,\s]/)) {
    if (!entry) continue;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    entries.push({ hostname: (parsed ? parsed[1]! : entry).replace(/^\*?\./, '').toLowerCase(), port: parsed ? Number.parseInt(parsed[2]!, 10) : 0 });
  }
  return entries;
}

/** Reads and checks the proxy settings; no proxy set gives both endpoints undefined. */
export function readProxySettings(env: Env): ProxySettings {
  const httpSetting = either(env, 'HTTP_PROXY');
  const httpsSetting = either(env, 'HTTPS_PROXY');
  const noProxySetting = either(env, 'NO_PROXY');
  const http = httpSetting ? endpoint(httpSetting.name, httpSetting.value) : undefined;
  const https = httpsSetting ? endpoint(httpsSetting.name, httpsSetting.value) : http;
  return { http, https, noProxy: parseNoProxy(noProxySetting?.value ?? '') };
}

export const NO_PROXY_SETTINGS: ProxySettings = { http: undefined, https: undefined, noProxy: [] };

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** Which proxy a URL goes through, if any: undici's EnvHttpProxyAgent's rule, NO_PROXY included. */
export function proxyFor(settings: ProxySettings, url: URL): ProxyEndpoint | undefined {
  const proxy = url.protocol === 'https:' ? settings.https : settings.http;
  if (!proxy) return undefined;
  const { noProxy } = settings;
  if (noProxy === '*') return undefined;
  // url.host keeps an IPv6 address's brackets, as undici compares it.
  const hostname = url.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(url.port, 10) || DEFAULT_PORTS[url.protocol] || 0;
  for (const entry of noProxy) {
    if (entry.port && entry.port !== port) continue;
    if (hostname === entry.hostname || hostname.endsWith(`.${entry.hostname}`)) return undefined;
  }
  return proxy;
}
