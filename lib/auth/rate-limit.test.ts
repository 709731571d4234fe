import { describe, expect, it } from 'vitest';
import { clientIp } from './client-ip';
import { SIGN_IN_PER_IP, windowStartOf } from './rate-limit';
import { safeNextPath } from '@/lib/http/next-path';

describe('fixed windows', () => {
  it('align to multiples of the window length, so every process agrees', () => {
    const t = new Date('2026-03-01T10:07:31Z');
    expect(windowStartOf(SIGN_IN_PER_IP, t).toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(windowStartOf(SIGN_IN_PER_IP, new Date('2026-03-01T10:15:00Z')).toISOString()).toBe('2026-03-01T10:15:00.000Z');
  });
});

describe('clientIp', () => {
  it('takes the last X-Forwarded-For entry (the one our server or trusted proxy wrote)', () => {
    expect(clientIp(new Request('http://x/', { headers: { 'x-forwarded-for': '1.2.3.4, 10.0.0.1' } }))).toBe('10.0.0.1');
    expect(clientIp(new Request('http://x/'))).toBe('unknown');
  });
});

describe('safeNextPath', () => {
  it('keeps same-site paths and drops everything else', () => {
    expect(safeNextPath('/workspace/datasets/x')).toBe('/workspace/datasets/x');
    for (const bad of ['https://evil.example', '//evil.example', '/\\evil.example', undefined, '']) expect(safeNextPath(bad)).toBe('/workspace');
  });
});
