import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API_ROUTES } from '@/lib/api';
import { apiDocument } from '@/lib/api/document';
import { defineRoute, openApiDocument, successStatus } from './openapi';

const root = fileURLToPath(new URL('../..', import.meta.url));
type Op = { parameters: { name: string; in: string; required: boolean }[]; requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> }; responses: Record<string, unknown>; security: unknown[] };

describe('OpenAPI document', () => {
  const doc = apiDocument() as { openapi: string; paths: Record<string, Record<string, Op>> };

  it('is OpenAPI 3.1 and lists every registered route once', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
    expect(ops.sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('every registered route has a route.ts exporting its method, and every v1 route.ts is registered', () => {
    for (const r of API_ROUTES) {
      const file = path.join(root, 'app', r.path.replace(/\{(\w+)\}/g, '[$1]'), 'route.ts');
      expect(fs.existsSync(file), file).toBe(true);
      expect(fs.readFileSync(file, 'utf8'), `${file} exports ${r.method}`).toMatch(new RegExp(`export (async )?function ${r.method}\\b`));
    }
    const registered = new Set(API_ROUTES.map((r) => r.path.replace(/\{(\w+)\}/g, '[$1]')));
    const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name === 'route.ts' ? [dir] : []));
    const unregistered = walk(path.join(root, 'app/api/v1'))
      .map((d) => `/${path.relative(path.join(root, 'app'), d).split(path.sep).join('/')}`)
      .filter((p) => p !== '/api/v1/openapi.json' && !registered.has(p));
    expect(unregistered).toEqual([]);
    // Method by method: a second handler on a registered path (e.g. the participant POST beside the
    // researchers' GET of /api/v1/studies/{id}/sessions) must be registered too.
    const ops = new Set(API_ROUTES.map((r) => `${r.method} ${r.path.replace(/\{(\w+)\}/g, '[$1]')}`));
    const handlers = walk(path.join(root, 'app/api/v1')).flatMap((d) => {
      const route = `/${path.relative(path.join(root, 'app'), d).split(path.sep).join('/')}`;
      const src = fs.readFileSync(path.join(d, 'route.ts'), 'utf8');
      return [...src.matchAll(/export (?:async )?function (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => `${m[1]} ${route}`);
    });
    expect(handlers.filter((h) => !h.endsWith(' /api/v1/openapi.json') && !ops.has(h))).toEqual([]);
  });

  it('request schemas come from the zod schemas the handlers use (fields, required, defaults)', () => {
    const create = doc.paths['/api/v1/datasets']?.post;
    const schema = create?.requestBody?.content['application/json']?.schema;
    expect(Object.keys(schema?.properties ?? {})).toEqual(['name', 'slug', 'description', 'visibility']);
    expect(schema?.required).toEqual(['name', 'slug']);
    const del = doc.paths['/api/v1/datasets/{id}']?.delete;
    expect(del?.parameters.map((p) => [p.name, p.in, p.required])).toEqual([['id', 'path', true], ['confirm', 'query', true]]);
    expect(Object.keys(doc.paths['/api/v1/datasets/{id}/images']?.post?.requestBody?.content ?? {})).toEqual(['multipart/form-data', 'application/zip']);
  });

  it('adds the generic error answers from the auth requirement', () => {
    const patch = doc.paths['/api/v1/datasets/{id}']?.patch;
    expect(Object.keys(patch?.responses ?? {}).sort()).toEqual(['200', '400', '401', '403', '404']);
    expect(doc.paths['/api/v1/auth/signin']?.post?.responses).toHaveProperty('429');
    expect(doc.paths['/api/v1/datasets']?.get?.security).toEqual([{}, { cookieSession: [] }, { apiToken: [] }]);
    expect(doc.paths['/api/v1/tokens']?.post?.security).toEqual([{ cookieSession: [] }]);
    // Participant routes: the session token header only; a wrong token is 403, never 404.
    const samples = doc.paths['/api/v1/sessions/{id}/samples']?.post;
    expect(samples?.security).toEqual([{ sessionToken: [] }]);
    expect(Object.keys(samples?.responses ?? {}).sort()).toEqual(['200', '400', '401', '403', '409', '413']);
    // The study link: no credentials at all, so no 401/403; unknown link 404, closed or taken 409.
    const start = doc.paths['/api/v1/studies/{id}/sessions']?.post;
    expect(start?.security).toEqual([]);
    expect(Object.keys(start?.responses ?? {}).sort()).toEqual(['201', '400', '404', '409', '413']);
    expect(Object.keys(start?.requestBody?.content['application/json']?.schema.properties ?? {})).toEqual(['externalIds', 'modality']);
    expect(start?.requestBody?.content['application/json']?.schema.required).toEqual(['modality']);
    expect(doc.paths['/api/v1/studies/{id}/sessions']?.get?.security).toEqual([{ cookieSession: [] }, { apiToken: [] }]);
    expect(Object.keys(doc.paths['/api/v1/studies/{id}/public']?.get?.responses ?? {}).sort()).toEqual(['200', '400', '404', '409']);
  });

  it('refuses a route registered twice, and a route without a success answer', () => {
    const r = defineRoute({ method: 'GET', path: '/x', summary: 's', tags: [], auth: 'public', params: z.object({}), responses: { 200: { description: 'ok' } } });
    expect(() => openApiDocument([r, r], { title: 't', version: '1', description: '' })).toThrow(/twice/);
    expect(() => successStatus({ ...r, responses: { 404: { description: 'no' } } })).toThrow(/2xx/);
  });
});
