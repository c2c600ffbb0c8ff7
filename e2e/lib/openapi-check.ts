import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { buildOpenApiDocument, type OpenApiDocument } from '../../gateway/src/openapi';

interface Operation { path: string; method: string; regex: RegExp; params: number; responses: Record<string, any> }

/**
 * Checks real answers against the gateway's OpenAPI document: the operation is found by method
 * and path (a literal path before a templated one: `/api/users/me` before `/api/users/{id}`), the
 * status must be one it describes, and a JSON body must validate against that status's schema. A
 * path no operation describes may only answer 404 with the error shape.
 * Problems are collected, so a suite can end with one test that lists them all.
 */
export class OpenApiResponseCheck {
  readonly problems: string[] = [];
  checked = 0;
  private readonly operations: Operation[];
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<object, ValidateFunction>();
  /** A path no operation describes answers 404 with the document's error shape. */
  private readonly unknownPath: Operation;

  constructor(private readonly doc: OpenApiDocument = buildOpenApiDocument()) {
    addFormats(this.ajv);
    this.operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        path, method,
        regex: new RegExp(`^${path.split('/').map((seg) => (/^\{.+\}$/.test(seg) ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'))).join('/')}/?$`),
        params: (path.match(/\{/g) ?? []).length,
        responses: op.responses ?? {},
      })))
      .sort((a, b) => a.params - b.params);
    const notFound = { description: 'Not found', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    this.unknownPath = { path: '(no operation)', method: '*', regex: /$^/, params: 0, responses: { 404: notFound } };
  }

  /**
   * One answer: `target` is the request path with or without its query, `body` the answer's text.
   * Returns the problem found, or null.
   */
  check(method: string, target: string, status: number, body: string, contentType: string | null): string | null {
    this.checked++;
    const path = target.split(/[?#]/)[0];
    const what = `${method.toUpperCase()} ${path} → ${status}`;
    const op = this.operations.find((o) => o.method === method.toLowerCase() && o.regex.test(path)) ?? (status === 404 ? this.unknownPath : undefined);
    const problem = !op ? `${what}: no operation of the document` : this.checkAnswer(op, status, body, contentType);
    if (problem) this.problems.push(problem.startsWith(what) ? problem : `${what} (${op!.method.toUpperCase()} ${op!.path}): ${problem}`);
    return problem;
  }

  private checkAnswer(op: Operation, status: number, body: string, contentType: string | null): string | null {
    const described = op.responses[String(status)] ?? op.responses.default;
    if (!described) return `status not described (described: ${Object.keys(op.responses).join(', ')})`;
    const json = described.content?.['application/json'];
    if (!json) return null; // a file, a page, a WebSocket: nothing to validate as JSON
    if (!/\bjson\b/.test(contentType ?? '')) return `content-type ${contentType ?? 'none'}, described as application/json`;
    let value: unknown;
    try { value = JSON.parse(body); } catch { return 'body is not JSON'; }
    const validate = this.validator(json.schema ?? {});
    if (validate(value)) return null;
    const errors = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    return `${errors} — body: ${body.slice(0, 200)}`;
  }

  private validator(schema: object): ValidateFunction {
    let v = this.compiled.get(schema);
    if (!v) {
      v = this.ajv.compile(this.inlineRefs(schema));
      this.compiled.set(schema, v);
    }
    return v;
  }

  /** Replaces `#/components/schemas/X` references with the schemas themselves. */
  private inlineRefs(node: unknown): any {
    if (Array.isArray(node)) return node.map((n) => this.inlineRefs(n));
    if (!node || typeof node !== 'object') return node;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) return this.inlineRefs(this.doc.components.schemas[ref.slice('#/components/schemas/'.length)]);
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, this.inlineRefs(v)]));
  }
}
