import { describe, expect, it } from 'vitest';
import { badPathSegment, pathDecodes } from './raw-path';

const TEMPLATES = ['/api/v1/datasets', '/api/v1/datasets/{id}', '/api/v1/datasets/{id}/{file}', '/api/v1/sessions/{id}/trials/{trialId}/start'];

describe('raw path decoding', () => {
  it('accepts valid percent-encoding and plain paths', () => {
    expect(pathDecodes('/api/v1/datasets/caf%C3%A9')).toBe(true);
    expect(pathDecodes('/api/v1/datasets/a%2Fb')).toBe(true);
    expect(badPathSegment('/api/v1/datasets/%20', TEMPLATES)).toBeNull();
  });
  it('refuses bad escapes and overlong UTF-8, naming the parameter of the matching route', () => {
    expect(pathDecodes('/api/v1/datasets/%ZZ')).toBe(false);
    expect(badPathSegment('/api/v1/datasets/%ZZ', TEMPLATES)?.field).toBe('id');
    expect(badPathSegment('/api/v1/datasets/%C0%AE%C0%AE', TEMPLATES)?.field).toBe('id');
    expect(badPathSegment('/api/v1/datasets/x/%E0%A4', TEMPLATES)?.field).toBe('file');
    const trial = badPathSegment('/api/v1/sessions/abc/trials/%FF/start', TEMPLATES);
    expect(trial).toMatchObject({ field: 'trialId' });
    expect(trial?.detail).toContain("'%FF'");
  });
  it('names the path when no route matches', () => {
    expect(badPathSegment('/nowhere/%ZZ', TEMPLATES)?.field).toBe('path');
    expect(badPathSegment('/api/v1/%ZZ', TEMPLATES)?.field).toBe('path');
  });
});
