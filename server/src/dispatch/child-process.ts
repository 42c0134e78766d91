import 'reflect-metadata';
import { loadConfig } from '../config.js';
import { startApp } from '../main.js';

/**
 * One app process configured from the environment (tests and benchmarks run dispatchers this way:
 * TRUSTED_SITES_ROLE=dispatcher). Prints READY once started; SIGTERM stops it gracefully.
 */
const app = await startApp(loadConfig());
process.stdout.write(`READY ${app.services.dispatcher?.worker ?? ''} ${app.url ?? ''}\n`);
let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  app.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
