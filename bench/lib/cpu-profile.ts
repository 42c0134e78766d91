import fs from 'node:fs';
import { Session } from 'node:inspector/promises';

/**
 * A CPU profile of this process from now (every 200 µs), written by `stop` to a .cpuprofile for
 * bench/lib/profile-summary.ts. throughput.ts's `--cpu-prof` and peers.ts's use it.
 */
export async function startCpuProfile(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}
