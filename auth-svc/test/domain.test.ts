import jwt from 'jsonwebtoken';
import { AccessClaims } from '@webxterm/contracts';
import { normalizeOrganizationName, TENANT_SLUG } from '../src/domain/normalize';
import { TokenIssuer } from '../src/domain/token-issuer';
import type { Membership } from '../src/domain/model';
import { clientSourceOf } from '../src/http/client-source';

const SECRET = 'unit-test-secret-unit-test-secret-0000';
const member: Membership = {
  id: '6b02793f9c33a193e2c6b981', role: 'user', machineRole: '', apiKeyPrefix: 'vsk_x', groups: ['devops'],
  person: { id: 'p1', email: 'a@b.co', username: 'ada', firstName: 'Ada', lastName: 'L', emailVerified: false, keycloakId: '' },
  organization: { id: 'o1', tenantId: 'my-org', name: 'My Org', otpEnabled: false, createdAt: new Date(0) },
};

describe('normalizeOrganizationName', () => {
  it.each([
    ['My Org', 'my-org'], ['  Acme   Corp  ', 'acme-corp'], ['my-org', 'my-org'], ['Tab\tName', 'tab-name'],
  ])('%j → %j', (input, out) => {
    expect(normalizeOrganizationName(input)).toBe(out);
    expect(TENANT_SLUG.test(out)).toBe(true);
  });
  it.each(['my.org', 'über', '-x', 'x-', 'a'.repeat(64), 'a>b', 'a*b'])('%j is not a valid slug', (s) => {
    expect(TENANT_SLUG.test(normalizeOrganizationName(s))).toBe(false);
  });
});

describe('clientSourceOf', () => {
  it.each([
    [undefined, 'cli'], ['', 'cli'], ['curl/8.5.0', 'cli'], ['python-requests/2.31', 'cli'],
    ['Mozilla/5.0 (Macintosh) Safari/605.1.15', 'ui'], ['Mozilla/5.0 Code/1.99 Electron/34 VSCode/1.99', 'vscode'],
  ])('%j → %s', (ua, source) => { expect(clientSourceOf(ua)).toBe(source); });
});

describe('TokenIssuer', () => {
  const issuer = new TokenIssuer(SECRET, () => 1_800_000_000_000);

  it('access tokens carry the documented claims and parse as AccessClaims', () => {
    const { token } = issuer.access(member, 'sid-1', 'cli');
    const claims = jwt.verify(token, SECRET, { algorithms: ['HS256'], clockTimestamp: 1_800_000_000 });
    expect(AccessClaims.parse(claims)).toMatchObject({ user_id: member.id, groups: ['devops'], sid: 'sid-1', iat: 1_800_000_000, exp: 1_800_086_400 });
  });

  it('session tokens verify only as session tokens, never with the access-token secret', () => {
    const t = new TokenIssuer(SECRET);
    const s = t.session({ sid: 's', person_id: 'p', source: 'ui' }, new Date(Date.now() + 60_000));
    expect(t.readSession(s)).toEqual({ sid: 's', person_id: 'p', source: 'ui' });
    expect(() => jwt.verify(s, SECRET)).toThrow();
    const { token: access } = t.access(member, 's', 'ui');
    expect(() => t.readSession(access)).toThrow('Invalid or expired session token');
  });
});
