import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, type TestApp, startTestApp, tempDir } from '../test/support.js';

const readme = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md'), 'utf8');

/** The README's first session, exactly as a newcomer would paste it. */
function firstSession(): string {
  const block = /<!-- first-session:start[^>]*-->\s*```sh\n([\s\S]*?)```\s*<!-- first-session:end -->/.exec(readme);
  if (!block) throw new Error('README.md has no first-session block');
  return block[1]!;
}

describe("the README's first session", () => {
  let app: TestApp;
  let folder: string;

  beforeAll(async () => {
    // As after `ALLOW_PRIVATE_TARGETS=true npm start` on another port: the token in data/admin-token.
    app = await startTestApp({ ALLOW_PRIVATE_TARGETS: 'true' });
    folder = tempDir('ts-readme-');
    fs.mkdirSync(path.join(folder, 'data'));
    fs.writeFileSync(path.join(folder, 'data', 'admin-token'), `${TEST_ADMIN_TOKEN}\n`);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('runs as written with PORT set: the webhook reaches the local receiver and the delivery shows its attempt', async () => {
    const port = new URL(app.url).port;
    // Not spawnSync: the API answering the script runs in this very process.
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile('bash', ['-c', firstSession()], { cwd: folder, env: { ...process.env, PORT: port }, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr }),
      );
    });
    const output = run.stdout;
    expect({ stderr: run.stderr, code: run.code }, output).toEqual({ stderr: '', code: 0 });
    expect(output).toMatch(/^site [0-9a-f-]{36}$/m);
    expect(output).toContain('{"data":{"setSiteStatus":{"status":"ACTIVE"}}}');
    expect(output).toMatch(/receiver got POST \/hooks Bearer eyJ\S*… \{"order":42\}/);
    expect(output).toMatch(/\{"data":\{"delivery":\{"status":"SUCCEEDED","attempts":\[\{"number":1,"statusCode":200,"durationMs":[\d.]+,"outcome":"SUCCEEDED"\}\]\}\}\}/);
  });
});
