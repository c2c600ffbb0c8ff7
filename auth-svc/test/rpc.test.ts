import { ResolveApiKey } from '@webxterm/contracts';
import { Bus, connectNats, NatsConnection } from '@webxterm/kit';
import { Harness, startHarness } from './harness';

let h: Harness;
let nc: NatsConnection;
let bus: Bus;
beforeAll(async () => { h = await startHarness(); nc = await connectNats(h.env.natsUrl, 'rpc-test'); bus = new Bus(nc); });
afterAll(async () => { await nc.drain(); await h.close(); });

describe('ResolveApiKey', () => {
  it('tells who owns an API key, and only found:false for an unknown one', async () => {
    const a = await h.signup();
    const apiKey = (await h.login(a.email, a.password)).body.user.api_key;
    expect(await bus.request(ResolveApiKey, { api_key: apiKey })).toEqual({
      found: true, user_id: a.userId, username: a.username, tenant_id: a.tenantId, role: 'company_admin',
    });
    expect(await bus.request(ResolveApiKey, { api_key: 'vsk_not-a-key' })).toEqual({ found: false });
  });

  it('answers a malformed request with an error carrying its code, and keeps serving', async () => {
    for (const payload of ['{"api_key":""}', 'not json', '{"api_key":42}']) {
      const reply = (await nc.request(ResolveApiKey.subject, payload, { timeout: 2000 })).json<any>();
      expect(reply).toMatchObject({ ok: false, error: { kind: 'invalid', code: 'rpc.invalid_request' } });
    }
    expect(await bus.request(ResolveApiKey, { api_key: 'vsk_other' })).toEqual({ found: false });
  });
});
