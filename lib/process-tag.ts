/**
 * "PID start-time" tags for lock and lease files. A PID alone is not enough: after a kill -9 and a
 * reboot or a busy machine, the PID in a stale file may belong to another process by now; the
 * start time (field 22 of /proc/PID/stat, in clock ticks since boot) tells them apart.
 */
import fs from 'node:fs';

export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces): starttime is the 20th.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This process's tag. */
export function selfTag(): string {
  return `${process.pid} ${processStartTime(process.pid) ?? '0'}`;
}

/** Whether the process a tag names still runs (same PID and, where /proc tells, same start time). */
export function tagIsLive(tag: string): boolean {
  const [pidText, start] = tag.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return false;
  const actual = processStartTime(pid);
  return actual === undefined || start === undefined || start === '0' || actual === start;
}

export function tagOwner(tag: string): number {
  return Number(tag.trim().split(' ')[0]);
}
