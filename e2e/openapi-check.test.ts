/** The checker the e2e suites run every answer through (e2e/lib/openapi-check.ts) finds what it should. */
import { OpenApiResponseCheck } from './lib/openapi-check';

const JSON_TYPE = 'application/json; charset=utf-8';

test('an answer its operation describes passes; the wrong shape, an undescribed status or path, or a non-JSON body do not', () => {
  const c = new OpenApiResponseCheck();
  expect(c.check('POST', '/api/auth/login', 401, '{"error":"Invalid credentials"}', JSON_TYPE)).toBeNull();
  expect(c.check('GET', '/api/machines/abc?x=1', 404, '{"error":"Not found"}', JSON_TYPE)).toBeNull();
  expect(c.check('POST', '/api/machines', 201, '{"agent_id":"a","name":"n","status":"pending","registration_token":"t","command":"c"}', JSON_TYPE)).toBeNull();
  expect(c.check('POST', '/api/auth/login', 401, '{"message":"no"}', JSON_TYPE)).toMatch(/must have required property 'error'/);
  expect(c.check('POST', '/api/machines', 201, '{"agent_id":"a","name":"n","status":"sleeping","registration_token":"t","command":"c"}', JSON_TYPE)).toMatch(/\/status must be equal to one of the allowed values/);
  expect(c.check('GET', '/api/roles', 418, '{"error":"teapot"}', JSON_TYPE)).toMatch(/status not described/);
  expect(c.check('GET', '/api/nowhere', 404, '{"error":"Not found"}', JSON_TYPE)).toBeNull(); // any unknown path: 404 { error }
  expect(c.check('GET', '/api/nowhere', 200, '{}', JSON_TYPE)).toMatch(/no operation of the document/);
  expect(c.check('GET', '/api/roles', 200, '<html>', 'text/html')).toMatch(/content-type text\/html/);
  expect(c.problems).toHaveLength(5);
  expect(c.checked).toBe(9);
});

test('a literal path is matched before a templated one', () => {
  const c = new OpenApiResponseCheck();
  c.check('GET', '/api/users/me', 999, '{}', JSON_TYPE);
  expect(c.problems[0]).toContain('(GET /api/users/me)');
});
