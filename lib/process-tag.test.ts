import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { processStartTime, selfTag, tagIsLive, tagOwner } from './process-tag';

describe('process tags', () => {
  it('names this process, live', () => {
    const tag = selfTag();
    expect(tagOwner(tag)).toBe(process.pid);
    expect(tagIsLive(tag)).toBe(true);
  });

  it('a reused PID (same PID, other start time) is not live', () => {
    const start = Number(processStartTime(process.pid));
    expect(Number.isInteger(start)).toBe(true);
    expect(tagIsLive(`${process.pid} ${start + 1}`)).toBe(false);
  });

  it('an exited process, garbage and negative PIDs are not live', () => {
    const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    expect(tagIsLive(`${child.stdout.trim()} 1`)).toBe(false);
    expect(tagIsLive('')).toBe(false);
    expect(tagIsLive('-42')).toBe(false);
    expect(tagIsLive('abc 12')).toBe(false);
  });
});
