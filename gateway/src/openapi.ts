import { z } from 'zod';
import { PORTAL_ROLES, ROLE_PERMISSIONS } from '@webxterm/contracts';
import { API_CATALOGUE, type EndpointDoc } from './api-catalogue';
import { ROUTE_TABLE, RouteTable, SERVICE_NAMES, type RouteDef } from './routes';

/**
 * The OpenAPI 3.1 description of the public API, generated from the gateway's route table (who may
 * call: public or a bearer token, rate limits, body limits, which service answers) and the endpoint
 * catalogue (method, path, the permission and so the roles, zod schemas of bodies, queries and
 * answers). Every error answer is `{ "error": "…" }`.
 */
export type OpenApiDocument = Record<string, any>;

const ERROR = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ERROR } } });

/** Roles that hold a permission (super_admin holds them all). */
export function rolesFor(permission: EndpointDoc['permission']): string[] {
  return permission ? PORTAL_ROLES.filter((r) => ROLE_PERMISSIONS[r].includes(permission)) : [];
}

/** JSON Schema of what a client sends (input side: defaults optional, coercions as written). */
function inputSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}
function outputSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** `/api/users/:id` → `/api/users/{id}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z_]+)/g, '{$1}');

/** The route-table entry an endpoint goes through (first match, as the gateway routes). */
export function routeOf(e: EndpointDoc, table = new RouteTable()): RouteDef | null {
  return table.resolve(e.path.replace(/:([A-Za-z_]+)/g, 'x'));
}

function operation(e: EndpointDoc, route: RouteDef): Record<string, unknown> {
  const isPublic = route.access === 'public';
  const roles = rolesFor(e.permission);
  const params = [...e.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (e.query) {
    const q = inputSchema(e.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) params.push({ name, in: 'query', required: (q.required ?? []).includes(name), schema: schema as any });
  }
  if (e.websocket) params.push({ name: 'token', in: 'query', required: false, schema: { type: 'string' } });
  const status = String(e.status ?? (e.websocket ? 101 : 200));
  const success = e.websocket
    ? { description: 'Switching Protocols: the terminal WebSocket is open' }
    : { description: 'Success', content: { [e.response && outputSchema(e.response).type === 'string' ? 'application/octet-stream' : 'application/json']: { schema: e.response ? outputSchema(e.response) : { type: 'object' } } } };
  const responses: Record<string, unknown> = { [status]: success };
  if (e.body || e.query || e.upload) responses['400'] = errorResponse('Bad request: a missing or invalid field, named in `error`');
  if (!isPublic) responses['401'] = errorResponse('No token, or an expired or revoked one');
  else if (route.rateLimit === 'login' && !/signup$/.test(e.path)) responses['401'] = errorResponse('Wrong credentials, or an invalid or expired code or session');
  if (e.permission && roles.length < PORTAL_ROLES.length) responses['403'] = errorResponse(`The caller's role lacks ${e.permission}`);
  // A path id, or a `tenant_id` filter, may name another organization: for the caller it does not exist.
  if (params.some((p) => p.in === 'path' || p.name === 'tenant_id')) responses['404'] = errorResponse('Not found (another organization\'s resources do not exist for the caller)');
  if (status === '201') responses['409'] = errorResponse('Conflict: it exists already (a duplicate name)');
  if (e.body || e.upload) responses['413'] = errorResponse(`Body over the limit (${route.bodyLimit ?? 'BODY_LIMIT, 1mb by default'})`);
  if (route.rateLimit) responses['429'] = errorResponse('Too many attempts from this address or on this account; see Retry-After');
  responses['503'] = errorResponse(`${SERVICE_NAMES[route.upstream]} is not available`);
  for (const [status, description] of Object.entries(e.errors ?? {})) responses[status] = errorResponse(description);
  const who = isPublic ? 'Public: no token.' : `Bearer token; roles: ${roles.join(', ') || 'any'}${e.permission ? ` (permission ${e.permission})` : ''}.`;
  return {
    operationId: `${e.method}${e.path.replace(/[/:{}-]+([a-z0-9])?/gi, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: e.summary,
    description: `${who} Answered by ${SERVICE_NAMES[route.upstream]}.`,
    tags: [e.tag],
    security: isPublic ? [] : [{ bearerAuth: [] }],
    'x-roles': isPublic ? [] : roles,
    ...(e.permission ? { 'x-permission': e.permission } : {}),
    ...(route.rateLimit ? { 'x-rate-limit': 'LOGIN_RATE_PER_IP requests per LOGIN_RATE_WINDOW_SEC per client IP' } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(e.body ? { requestBody: { required: true, content: { 'application/json': { schema: inputSchema(e.body) } } } } : {}),
    ...(e.upload ? { requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' } }, required: ['file'] } } } } } : {}),
    responses,
  };
}

/** The gateway's own endpoints, answered before any route of the table. */
function gatewayOwnPaths(): Record<string, unknown> {
  const own = (summary: string, type: string) => ({ get: { operationId: summary.replace(/\W+/g, '_'), summary, tags: ['Gateway'], security: [], 'x-roles': [], responses: { 200: { description: 'Success', content: { [type]: { schema: { type: type === 'application/json' ? 'object' : 'string' } } } } } } });
  return {
    '/health': own('Health check of the gateway', 'application/json'),
    '/api/openapi.json': own('This document', 'application/json'),
    '/api/docs': own('This document as a browsable page', 'text/html'),
  };
}

export function buildOpenApiDocument(catalogue: EndpointDoc[] = API_CATALOGUE, table: readonly RouteDef[] = ROUTE_TABLE, version = '0.1.0'): OpenApiDocument {
  const routes = new RouteTable(table);
  const paths: Record<string, Record<string, unknown>> = gatewayOwnPaths() as Record<string, Record<string, unknown>>;
  for (const e of catalogue) {
    const route = routeOf(e, routes);
    if (!route) throw new Error(`${e.method.toUpperCase()} ${e.path}: no route of the gateway's table leads there`);
    (paths[openApiPath(e.path)] ??= {})[e.method] = operation(e, route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'WebXTerm API', version,
      description: 'Browser terminals for fleets of Linux machines. Every request goes through the gateway; errors are `{ "error": "…" }`. Roles: user < company_admin < super_admin; another organization\'s resources answer 404.',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(catalogue.map((e) => e.tag)), 'Gateway'].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] } },
    },
  };
}
