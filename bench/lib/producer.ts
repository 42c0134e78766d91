/**
 * The protocol of a producer in a process of its own (`startScriptClientProcess` in harness.ts):
 * prints READY with the CPU its start-up used, waits for a line on stdin, runs `produce`, prints
 * ACCEPTED with the CPU used all its life (the benchmark subtracts READY's), runs `close` and exits
 * (1 and the error on stderr if either fails).
 */
export function serveProducer(produce: () => Promise<unknown>, close: () => Promise<unknown> = async () => undefined): void {
  const cpuMs = () => {
    const cpu = process.cpuUsage();
    return ((cpu.user + cpu.system) / 1000).toFixed(0);
  };
  process.stdout.write(`READY cpu ${cpuMs()} ms\n`);
  process.stdin.once('data', () => {
    produce()
      .then(() => {
        process.stdout.write(`ACCEPTED cpu ${cpuMs()} ms\n`);
        return close();
      })
      .then(() => process.exit(0))
      .catch((error) => {
        console.error(error);
        process.exit(1);
      });
  });
}
