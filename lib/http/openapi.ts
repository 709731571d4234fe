/**
 * The API's route registry and its OpenAPI 3.1 document (issue 7, "API").
 *
 * Every route under /api/v1 is described once by a RouteSpec holding the SAME zod schemas its
 * handler validates with (lib/api/*.ts); lib/api/index.ts lists them, one line per route. The
 * document (`openApiDocument`) converts those schemas with zod 4's `z.toJSONSchema` (JSON Schema
 * 2020-12, OpenAPI 3.1's dialect; requests in `io: 'input'` mode, so defaults show), and the
 * authorisation-matrix test walks the same list, so a new route is documented and tested by
 * being registered.
 *
 * `auth` is the `need` the handler passes to authorize() (lib/auth/authorize.ts), or `participant`
 * for the participant routes (/api/v1/sessions/**), which open one gaze session with its secret
 * in the X-Session-Token header (lib/http/participant.ts; no cookies, no API tokens): missing →
 * 401, a forged or another session's token → 403. `study-link` routes (the study link's page data
 * and the session start, /api/v1/studies/{slug}/…) serve anyone who has the link and read no
 * credentials at all (no cookie, token or same-origin check). `resource` names what the `{id}` path
 * parameter refers to, whose owner and visibility decide 404/403.
 */
import { z } from 'zod';
import type { Need } from '@/lib/auth/authorize';
import { SESSION_TOKEN_HEADER } from '@/lib/studies/contract';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type RouteAuth = Need | 'participant' | 'study-link';

export type RouteBody =
  | { readonly kind: 'json'; readonly schema: z.ZodType }
  | {
      readonly kind: 'multipart';
      /** The text fields, as an object schema; files are described in `files`. */
      readonly fields: z.ZodObject;
      readonly files: string;
      /** Other accepted raw media types (e.g. application/zip). */
      readonly alternatives?: readonly { contentType: string; description: string }[];
    }
  | {
      /** One of several media types, told apart by Content-Type (e.g. a JSON grid or an NPY file). */
      readonly kind: 'raw';
      readonly contents: readonly { contentType: string; description: string; schema?: z.ZodType }[];
    };

export interface RouteResponse {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** Default application/json when a schema is given. */
  readonly contentType?: string;
}

export interface RouteSpec {
  readonly method: HttpMethod;
  /** OpenAPI path template: /api/v1/datasets/{id}. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly auth: RouteAuth;
  readonly resource?: string;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: RouteBody;
  /** Success and notable error answers; the generic errors (400/401/403/404) are added from `auth`. */
  readonly responses: Readonly<Record<number, RouteResponse>>;
}

export function defineRoute(spec: RouteSpec): RouteSpec {
  return spec;
}

/** The first 2xx status a route answers with. */
export function successStatus(spec: RouteSpec): number {
  const code = Object.keys(spec.responses).map(Number).filter((c) => c >= 200 && c < 300).sort((a, b) => a - b)[0];
  if (code === undefined) throw new Error(`openapi: ${spec.method} ${spec.path} declares no 2xx response`);
  return code;
}

export const ErrorBody = z.object({
  error: z.string().meta({ description: 'machine-readable code, e.g. invalid_request, not_found, rate_limited' }),
  field: z.string().optional().meta({ description: 'the request field at fault, when there is one' }),
  detail: z.string().meta({ description: 'what went wrong, for people' }),
});

type JsonSchema = Record<string, unknown>;

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

function parameters(spec: RouteSpec): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, obj] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!obj) continue;
    for (const [name, field] of Object.entries(obj.shape)) {
      const schema = field as z.ZodType;
      const json = toSchema(schema, 'input');
      out.push({
        name,
        in: where,
        required: where === 'path' || !schema.safeParse(undefined).success,
        ...(typeof json.description === 'string' ? { description: json.description } : {}),
        schema: json,
      });
    }
  }
  return out;
}

function requestBody(body: RouteBody): JsonSchema {
  if (body.kind === 'json') return { required: true, content: { 'application/json': { schema: toSchema(body.schema, 'input') } } };
  if (body.kind === 'raw') {
    const content: JsonSchema = {};
    for (const c of body.contents) {
      content[c.contentType] = { schema: c.schema ? { ...toSchema(c.schema, 'input'), description: c.description } : { type: 'string', contentMediaType: c.contentType, description: c.description } };
    }
    return { required: true, content };
  }
  const fields = toSchema(body.fields, 'input');
  const properties = { ...((fields.properties as JsonSchema | undefined) ?? {}), files: { type: 'array', items: { type: 'string', contentMediaType: 'application/octet-stream' }, description: body.files } };
  const content: JsonSchema = { 'multipart/form-data': { schema: { ...fields, properties } } };
  for (const alt of body.alternatives ?? []) content[alt.contentType] = { schema: { type: 'string', contentMediaType: alt.contentType, description: alt.description } };
  return { required: true, content };
}

const errorRef = { $ref: '#/components/schemas/Error' };

function responses(spec: RouteSpec): JsonSchema {
  const out: JsonSchema = {};
  const error = (description: string) => ({ description, content: { 'application/json': { schema: errorRef } } });
  for (const [code, r] of Object.entries(spec.responses)) {
    const isError = Number(code) >= 400;
    const schema = isError ? errorRef : r.schema ? toSchema(r.schema, 'output') : undefined;
    out[code] = schema ? { description: r.description, content: { [r.contentType ?? 'application/json']: { schema } } } : r.contentType ? { description: r.description, content: { [r.contentType]: {} } } : { description: r.description };
  }
  if ((spec.params || spec.query || spec.body) && !out['400']) out['400'] = error('invalid input; `field` names the first bad field');
  if (spec.auth === 'participant') {
    if (!out['401']) out['401'] = error(`the ${SESSION_TOKEN_HEADER} header is missing`);
    if (!out['403']) out['403'] = error('the token does not open this session (forged, or another session’s)');
    return out;
  }
  if (spec.auth === 'study-link') return out;
  if (spec.auth !== 'none' && !out['401']) out['401'] = error(spec.auth === 'public' ? 'the API token is unknown or revoked' : 'not signed in, or the API token is unknown or revoked');
  if ((spec.auth === 'write' || spec.auth === 'session' || spec.auth === 'signed-in' || spec.auth === 'none') && !out['403']) {
    out['403'] = error(spec.auth === 'none' ? 'cross-site request' : 'not allowed: missing scope, not the owner, or CSRF check failed');
  }
  if (spec.resource && !out['404']) out['404'] = error(`no such ${spec.resource}, or it is private to someone else`);
  return out;
}

function security(auth: RouteAuth): JsonSchema[] {
  if (auth === 'none' || auth === 'study-link') return [];
  if (auth === 'participant') return [{ sessionToken: [] }];
  if (auth === 'session') return [{ cookieSession: [] }];
  const both = [{ cookieSession: [] }, { apiToken: [] }];
  return auth === 'public' ? [{}, ...both] : both;
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

export function openApiDocument(routes: readonly RouteSpec[], info: OpenApiInfo): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const seen = new Set<string>();
  for (const spec of routes) {
    const key = `${spec.method} ${spec.path}`;
    if (seen.has(key)) throw new Error(`openapi: ${key} is registered twice`);
    seen.add(key);
    const op: JsonSchema = {
      operationId: `${spec.method.toLowerCase()}${spec.path.replace(/^\/api\/v1/, '').replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [...spec.tags],
      security: security(spec.auth),
      'x-gazebench-auth': spec.auth,
      ...(spec.resource ? { 'x-gazebench-resource': spec.resource } : {}),
      parameters: parameters(spec),
      ...(spec.body ? { requestBody: requestBody(spec.body) } : {}),
      responses: responses(spec),
    };
    (paths[spec.path] ??= {})[spec.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: { Error: toSchema(ErrorBody, 'output') },
      securitySchemes: {
        cookieSession: { type: 'apiKey', in: 'cookie', name: 'gb_session', description: 'browser sign-in; mutations also need the X-CSRF-Token header' },
        apiToken: { type: 'http', scheme: 'bearer', bearerFormat: 'gzb_…', description: 'API token from /account (scopes read, write)' },
        sessionToken: {
          type: 'apiKey', in: 'header', name: SESSION_TOKEN_HEADER,
          description: 'participant routes: the secret of one gaze session, answered once by POST /api/v1/studies/{id}/sessions; opens that session only',
        },
      },
    },
  };
}
