import fs from 'node:fs';
import path from 'node:path';
import aws4 from 'aws4';
import { describe, expect, it } from 'vitest';
import { type SigV4Options, signSigV4 } from './sigv4.js';
import { vectorPath } from '../../../test/vectors.js';

const SUITES = vectorPath('sigv4');
const CLASSIC = path.join(SUITES, 'aws-sig-v4-test-suite');
const CRT = path.join(SUITES, 'aws-c-auth-signing-suite/v4');
// Published with the suites (the AWS docs' example key); not in the files themselves.
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

interface ParsedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A request as the suites write it: raw request line (the path may hold spaces), folded and repeated headers, then the body. */
function parseRequest(text: string, folded: 'comma' | 'space'): ParsedRequest {
  const lines = text.split('\n');
  const requestLine = lines.shift()!;
  const method = requestLine.slice(0, requestLine.indexOf(' '));
  const target = requestLine.slice(method.length + 1, requestLine.lastIndexOf(' HTTP/'));
  const headers: Record<string, string> = {};
  let last: string | undefined;
  while (lines.length > 0) {
    const line = lines.shift()!;
    if (line === '') break;
    if (/^[ \t]/.test(line) && last) {
      // The 2015 suite reads a folded line as one more value (value1,value2); aws-c-auth as obs-fold, i.e. a space (RFC 9112 §5.2).
      headers[last] += folded === 'comma' ? `,${line.trim()}` : `\n${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1);
    // Repeated headers combine into one comma-separated value (RFC 9110 §5.3), each part trimmed as SigV4 does.
    headers[name] = name in headers ? `${headers[name]},${value.trim()}` : value;
    last = name;
  }
  return { method, path: target, headers, body: lines.join('\n') };
}

interface SuiteCase {
  suite: 'classic' | 'aws-c-auth';
  name: string;
  request: ParsedRequest;
  options: SigV4Options;
  expected: { canonicalRequest: string; stringToSign: string; signature: string; authorization?: string };
}

function classicCases(): SuiteCase[] {
  const cases: SuiteCase[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const folder = path.join(dir, entry.name);
      const file = (ext: string) => path.join(folder, `${entry.name}.${ext}`);
      if (fs.existsSync(file('req'))) {
        const authorization = fs.readFileSync(file('authz'), 'utf8');
        const request = parseRequest(fs.readFileSync(file('req'), 'utf8'), 'comma');
        cases.push({
          suite: 'classic',
          name: path.relative(CLASSIC, folder),
          request,
          options: {
            region: 'us-east-1',
            service: 'service',
            credentials: CREDENTIALS,
            now: new Date('2015-08-30T12:36:00Z'),
            normalizePath: true,
            pathEncoding: 'single',
            impliedHeaders: false,
            signBody: false,
          },
          expected: {
            canonicalRequest: fs.readFileSync(file('creq'), 'utf8'),
            stringToSign: fs.readFileSync(file('sts'), 'utf8'),
            signature: /Signature=([0-9a-f]{64})/.exec(authorization)![1]!,
            authorization,
          },
        });
      }
      walk(folder);
    }
  };
  walk(CLASSIC);
  return cases;
}

function crtCases(): SuiteCase[] {
  return fs.readdirSync(CRT).map((name) => {
    const read = (file: string) => fs.readFileSync(path.join(CRT, name, file), 'utf8');
    const context = JSON.parse(read('context.json'));
    const signed = read('header-signed-request.txt');
    return {
      suite: 'aws-c-auth' as const,
      name,
      request: parseRequest(read('request.txt'), 'space'),
      options: {
        region: context.region,
        service: context.service,
        credentials: {
          accessKeyId: context.credentials.access_key_id,
          secretAccessKey: context.credentials.secret_access_key,
          ...(context.credentials.token ? { sessionToken: context.credentials.token } : {}),
        },
        now: new Date(context.timestamp),
        normalizePath: context.normalize,
        pathEncoding: 'single' as const,
        impliedHeaders: false,
        signBody: context.sign_body,
        signSessionToken: !context.omit_session_token,
      },
      expected: {
        canonicalRequest: read('header-canonical-request.txt'),
        stringToSign: read('header-string-to-sign.txt'),
        signature: read('header-signature.txt').trim(),
        authorization: /^Authorization:(.*)$/m.exec(signed)![1]!,
      },
    };
  });
}

const cases = [...classicCases(), ...crtCases()];

function signCase(c: SuiteCase) {
  return signSigV4({ method: c.request.method, host: 'example.amazonaws.com', path: c.request.path, headers: c.request.headers, body: c.request.body }, c.options);
}

describe('SigV4 against the published AWS suites', () => {
  it('finds every case: 31 classic and 38 aws-c-auth', () => {
    expect(cases.filter((c) => c.suite === 'classic')).toHaveLength(31);
    expect(cases.filter((c) => c.suite === 'aws-c-auth')).toHaveLength(38);
  });

  it.each(cases.map((c) => [`${c.suite}/${c.name}`, c] as const))('%s: canonical request, string to sign, signature', (_, c) => {
    const result = signCase(c);
    expect(result.canonicalRequest).toBe(c.expected.canonicalRequest);
    expect(result.stringToSign).toBe(c.expected.stringToSign);
    expect(result.signature).toBe(c.expected.signature);
    if (c.expected.authorization) expect(result.headers.authorization).toBe(c.expected.authorization);
  });

  it('tallies: every case of both suites passes', () => {
    const passed = cases.filter((c) => {
      const r = signCase(c);
      return r.canonicalRequest === c.expected.canonicalRequest && r.stringToSign === c.expected.stringToSign && r.signature === c.expected.signature;
    });
    console.log(`SigV4 suites: ${passed.length}/${cases.length} cases passed (classic ${passed.filter((c) => c.suite === 'classic').length}/31, aws-c-auth header-signed ${passed.filter((c) => c.suite === 'aws-c-auth').length}/38)`);
    expect(passed.length).toBe(cases.length);
  });

  // aws4 (the production signer for AWS's own names) always normalises non-S3 paths, so the seven
  // *-unnormalized cases are outside what it can be asked to do; every other case must pass through it too.
  it('aws4 passes every case it can express', () => {
    const applicable = cases.filter((c) => c.options.normalizePath !== false);
    const failures: string[] = [];
    for (const c of applicable) {
      const headers: Record<string, string> = { ...c.request.headers };
      const token = c.options.credentials.sessionToken;
      if (token && c.options.signSessionToken !== false) headers['x-amz-security-token'] = token;
      headers['x-amz-date'] ??= '20150830T123600Z';
      if (c.options.signBody) {
        headers['x-amz-content-sha256'] = c.expected.canonicalRequest.split('\n').at(-1)!;
      }
      const signer = new aws4.RequestSigner(
        // doNotEncodePath: the suites' paths are raw text, encoded once; doNotModifyHeaders: they list every signed header.
        { method: c.request.method, host: 'example.amazonaws.com', path: c.request.path, headers, body: c.request.body, service: 'service', region: 'us-east-1', doNotEncodePath: true, doNotModifyHeaders: true } as aws4.Request,
        { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: CREDENTIALS.secretAccessKey },
      ) as aws4.RequestSigner & { canonicalString(): string; stringToSign(): string; signature(): string; datetime: string };
      // With doNotModifyHeaders aws4 reads its date from a Date header or the clock, not x-amz-date; pin it.
      signer.datetime = headers['x-amz-date'];
      if (signer.canonicalString() !== c.expected.canonicalRequest || signer.stringToSign() !== c.expected.stringToSign || signer.signature() !== c.expected.signature) {
        failures.push(`${c.suite}/${c.name}`);
      }
    }
    console.log(`aws4: ${applicable.length - failures.length}/${applicable.length} applicable suite cases passed`);
    expect(failures).toEqual([]);
  });
});
