import http from 'node:http';
import net from 'node:net';

/**
 * A forward proxy on 127.0.0.1 for the proxy tests (not a test file itself), written with
 * node:http: absolute-form requests (GET http://host/…) are forwarded, CONNECT opens a TCP
 * tunnel. It records what it saw, and can demand Basic credentials, refuse every tunnel, or send
 * a destination somewhere else (`route`: the tests' stand-in for the internet, so an address that
 * is public on paper can lead to a local receiver).
 */

export interface ProxiedRequest {
  kind: 'absolute' | 'connect';
  /** The absolute URL, or CONNECT's host:port. */
  target: string;
  method: string;
  headers: http.IncomingHttpHeaders;
}

export interface ForwardProxy {
  url: string;
  port: number;
  seen: ProxiedRequest[];
  /** TCP connections accepted from clients. */
  connections: number;
  /** `user:password` the proxy demands (Proxy-Authorization: Basic), or undefined for none. */
  credentials: string | undefined;
  /** Answer every CONNECT with this status instead of opening the tunnel. */
  refuseConnect: number | undefined;
  route: (host: string, port: number) => { host: string; port: number };
  close(): Promise<void>;
}

function splitHostPort(target: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
  if (!match) throw new Error(`bad CONNECT target ${target}`);
  return { host: match[1]!, port: Number(match[2]) };
}

export async function startForwardProxy(port = 0): Promise<ForwardProxy> {
  const sockets = new Set<net.Socket>();
  const proxy: ForwardProxy = {
    url: '',
    port: 0,
    seen: [],
    connections: 0,
    credentials: undefined,
    refuseConnect: undefined,
    route: (host, port) => ({ host, port }),
    close: async () => undefined,
  };
  const authorized = (headers: http.IncomingHttpHeaders) =>
    proxy.credentials === undefined || headers['proxy-authorization'] === `Basic ${Buffer.from(proxy.credentials).toString('base64')}`;

  const server = http.createServer((req, res) => {
    proxy.seen.push({ kind: 'absolute', target: req.url ?? '', method: req.method ?? '', headers: req.headers });
    if (!authorized(req.headers)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"', 'content-length': '0' }).end();
      return;
    }
    const url = new URL(req.url ?? '');
    const to = proxy.route(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port) || 80);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    // The Host header goes on as the client sent it.
    const upstream = http.request({ host: to.host, port: to.port, method: req.method, path: url.pathname + url.search, headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-length': '0' });
      res.end();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: net.Socket) => {
    proxy.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    proxy.seen.push({ kind: 'connect', target: req.url ?? '', method: 'CONNECT', headers: req.headers });
    socket.on('error', () => undefined);
    if (!authorized(req.headers)) {
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (proxy.refuseConnect !== undefined) {
      socket.end(`HTTP/1.1 ${proxy.refuseConnect} Refused\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const to = proxy.route(...Object.values(splitHostPort(req.url ?? '')) as [string, number]);
    const upstream = net.connect(to.port, to.host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
    socket.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  proxy.port = (server.address() as net.AddressInfo).port;
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
