/**
 * The one logger. It never receives secrets: callers pass ids and codes, not configs or requests.
 */
const levels = { silent: 0, error: 1, info: 2, debug: 3 } as const;
let current: keyof typeof levels = (process.env.LOG_LEVEL as keyof typeof levels) in levels
  ? (process.env.LOG_LEVEL as keyof typeof levels)
  : 'info';

export function setLogLevel(level: keyof typeof levels): void {
  current = level;
}

function write(level: keyof typeof levels, message: string, fields?: Record<string, unknown>): void {
  if (levels[level] > levels[current]) return;
  const line = fields ? `${message} ${JSON.stringify(fields)}` : message;
  (level === 'error' ? process.stderr : process.stdout).write(`[${new Date().toISOString()}] ${level}: ${line}\n`);
}

export const log = {
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
};
