/** For log.test.ts: many lines, then process.exit() at once; the parent counts what arrived. */
import { log } from '../log.js';

for (let i = 0; i < 5000; i++) log.info(`line ${i}`, { i, padding: 'x'.repeat(200) });
log.error('exiting now');
process.exit(3);
