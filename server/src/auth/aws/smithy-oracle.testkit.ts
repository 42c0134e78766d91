/**
 * Test support: checks an AWS-signed request the way a receiver would, with `@smithy/signature-v4`
 * (the AWS SDK's signer, an implementation independent of aws4 and of sigv4.ts).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import querystring from 'node:querystring';
import { SignatureV4 } from '@smithy/signature-v4';

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** smithy's hash interface over node:crypto; with a secret it is HMAC-SHA256. */
export class NodeSha256 {
  private readonly state: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.state = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.state.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.state.digest());
  }
  reset(): void {
    throw new Error('not reusable');
  }
}

export interface ReceivedRequest {
  method: string;
  /** The request target as received: path and query. */
  target: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface OracleOptions {
  region: string;
  service: string;
  accessKeyId: string;
  secretAccessKey: string;
  s3: boolean;
  /** Give smithy only the headers the Authorization header names, as a server does. Default true. */
  onlySignedHeaders?: boolean;
}

/** The Authorization header smithy computes for this request (date and session token taken from it). */
export async function smithyAuthorization(request: ReceivedRequest, options: OracleOptions): Promise<string> {
  const mark = request.target.indexOf('?');
  const path = mark < 0 ? request.target : request.target.slice(0, mark);
  const query = (mark < 0 ? {} : { ...querystring.parse(request.target.slice(mark + 1)) }) as Record<string, string | string[]>;
  const signed = /SignedHeaders=([^,]+)/.exec(request.headers.authorization ?? '')?.[1]?.split(';');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'authorization') continue;
    if ((options.onlySignedHeaders ?? true) && signed && !signed.includes(name)) continue;
    headers[name] = value;
  }
  const date = request.headers['x-amz-date'];
  if (!date) throw new Error('no x-amz-date');
  const signingDate = new Date(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const token = request.headers['x-amz-security-token'];
  const signer = new SignatureV4({
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey, ...(token ? { sessionToken: token } : {}) },
    region: options.region,
    service: options.service,
    sha256: NodeSha256,
    // The settings under which smithy follows the same rules as aws4 (docs/design.md §1).
    applyChecksum: options.s3,
    uriEscapePath: !options.s3,
  });
  const result = await signer.sign(
    { method: request.method, protocol: 'https:', hostname: headers.host ?? '', path, query, headers, body: request.body.length ? request.body : undefined },
    { signingDate },
  );
  return result.headers.authorization!;
}
