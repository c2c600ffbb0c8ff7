import Ajv2020 from 'ajv/dist/2020';
import { buildOpenApiDocument } from '../../../gateway/src/openapi';

/**
 * Checks real answers against the OpenAPI document the gateway serves: the status must be one the
 * operation describes, and the body must match the schema described for that status.
 */
const doc = buildOpenApiDocument();
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema({ $id: 'openapi', components: doc.components }, 'openapi');

export function describedProblems(method: string, template: string, status: number, body: unknown): string[] {
  const op = doc.paths[template.replace(/:([A-Za-z_]+)/g, '{$1}')]?.[method.toLowerCase()];
  if (!op) return [`${method} ${template} is not described`];
  const response = op.responses[String(status)];
  if (!response) return [`${method} ${template} answered ${status}, which it does not describe (${Object.keys(op.responses).join(', ')})`];
  const schema = response.content?.['application/json']?.schema;
  if (!schema) return [];
  const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/')));
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${method} ${template} ${status}: ${e.instancePath || '/'} ${e.message}`);
}
