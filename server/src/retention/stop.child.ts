/**
 * A sending process for retention.test.ts: the whole app from the environment. With a run waiting
 * on its timer it starts one more now, stops the app while that run goes on, prints what it saw
 * (one JSON line each) and then does not call process.exit: the process ends by itself only if no
 * timer, connection or query of the job is left behind.
 */
import 'reflect-metadata';
import { loadConfig } from '../config.js';
import { startApp } from '../main.js';

const app = await startApp(loadConfig(process.env));
const retention = app.retention!;
process.stdout.write(`${JSON.stringify({ phase: 'started', scheduled: retention.scheduled })}\n`);
const run = retention.runOnce();
process.stdout.write(`${JSON.stringify({ phase: 'running', running: retention.running })}\n`);
await app.stop();
const result = await run;
process.stdout.write(`${JSON.stringify({ phase: 'stopped', scheduled: retention.scheduled, running: retention.running, result })}\n`);
