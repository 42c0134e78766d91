import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type pg from 'pg';
import { findClaimersLike } from './transitions.sql.js';

/**
 * Who holds a claim, written so that another process on the same host can tell a dead holder
 * from a live one without waiting for its lease (issue 10 item 6):
 *
 *   <hostname>:<pid>:<random>:<scope>:<start>
 *
 * - scope: a hash of the kernel's boot id and this process's PID namespace. Two containers may
 *   share a hostname while each has its own PIDs; a pid is only meaningful within one namespace
 *   of one boot, so only a claimer of the same scope is ever looked up. Off Linux: `host`.
 * - start: the process's start time in clock ticks since boot (/proc/<pid>/stat field 22). A pid
 *   taken by another process since the claimer died has another start time. Off Linux: `-`.
 *
 * Claims written under an older format (`<hostname>:<pid>:<random>`), or on another host or in
 * another scope, are never judged here: they wait for their lease as before.
 */
export interface WorkerIdentity {
  host: string;
  pid: number;
  scope: string;
  start: string;
}

const FORMAT = /^(.+):(\d+):([0-9a-f]{8}):([0-9a-f]{16}|host):(\d+|-)$/;

interface ProcStat {
  state: string;
  start: string;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command name) is in parentheses and may hold spaces and ')': count from the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state), rest[19] field 22 (starttime).
    return rest[0] && rest[19] ? { state: rest[0], start: rest[19] } : undefined;
  } catch {
    return undefined;
  }
}

/** Undefined when it cannot be known (Linux without a readable /proc): then nothing is judged. */
function localScope(): string | undefined {
  if (os.platform() !== 'linux') return 'host';
  try {
    const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const namespace = fs.readlinkSync('/proc/self/ns/pid');
    return createHash('sha256').update(`${boot}\n${namespace}`).digest('hex').slice(0, 16);
  } catch {
    return undefined;
  }
}

let self: WorkerIdentity | undefined | null = null;

/** This process, or undefined when its scope cannot be known. */
export function selfIdentity(): WorkerIdentity | undefined {
  if (self === null) {
    const scope = localScope();
    self = scope === undefined ? undefined : { host: os.hostname(), pid: process.pid, scope, start: os.platform() === 'linux' ? (readStat(process.pid)?.start ?? '-') : '-' };
  }
  return self;
}

/** A new worker id for a dispatcher of this process. */
export function newWorkerId(): string {
  const random = randomUUID().slice(0, 8);
  const me = selfIdentity();
  // Without a scope, the old format: other processes never judge this one by its pid.
  if (!me) return `${os.hostname()}:${process.pid}:${random}`;
  return `${me.host}:${me.pid}:${random}:${me.scope}:${me.start}`;
}

export function parseWorkerId(worker: string): WorkerIdentity | undefined {
  const match = FORMAT.exec(worker);
  if (!match) return undefined;
  return { host: match[1]!, pid: Number(match[2]), scope: match[4]!, start: match[5]! };
}

/**
 * True only when the worker certainly ran on this host, in this PID namespace and boot, and its
 * process is gone: the pid does not exist (ESRCH), is a zombie, or now belongs to a process that
 * started at another time. Everything uncertain (another host, EPERM, an unreadable /proc) is
 * "not gone": its claims keep their lease.
 */
export function isGoneLocalWorker(worker: string): boolean {
  const me = selfIdentity();
  const them = parseWorkerId(worker);
  if (!me || !them || them.host !== me.host || them.scope !== me.scope || them.pid <= 0) return false;
  // This process (another dispatcher in it, e.g. in tests) is alive by definition.
  if (them.pid === me.pid && them.start === me.start) return false;
  try {
    process.kill(them.pid, 0);
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  if (them.start === '-') return false;
  const stat = readStat(them.pid);
  if (!stat) return false;
  return stat.state === 'Z' || stat.state === 'X' || stat.start !== them.start;
}

/** Workers of this host and scope holding live claims whose process is gone: their claims can be taken back now. */
export async function findGoneLocalClaimers(db: pg.Pool): Promise<string[]> {
  const me = selfIdentity();
  if (!me) return [];
  return (await findClaimersLike(db, `${me.host}:`)).filter(isGoneLocalWorker);
}
