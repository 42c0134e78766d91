// `npm start`: builds the dashboard only when its sources changed, then runs the server in this
// process (TypeScript through tsx, so there is no server build step to go stale).
import { register } from 'tsx/esm/api';
import { ensureDashboardBuilt } from './build-dashboard.mjs';

await ensureDashboardBuilt();
register();
const { runMain } = await import('../server/src/main.ts');
runMain();
