import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { AGENT_MD, AGENT_PROTO_OPTIONS, AGENT_PROTO_PATH } from '@webxterm/contracts';

/** Opens one agent stream with the given credentials, says hello, and reports how the bridge ended it. */
export function connectOnce(port: number, apiKey: string, agentId: string, registrationToken?: string): Promise<{ code: number; details: string }> {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(AGENT_PROTO_PATH, AGENT_PROTO_OPTIONS)) as any;
  const client = new pkg.webxterm.agent.v1.AgentGateway(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${apiKey}`);
  md.set(AGENT_MD.agentId, agentId);
  if (registrationToken) md.set(AGENT_MD.registrationToken, registrationToken);
  return new Promise((resolve) => {
    const call = client.Connect(md);
    call.on('data', () => undefined);
    call.on('error', () => undefined);
    call.on('status', (s: grpc.StatusObject) => { client.close(); resolve({ code: s.code, details: s.details }); });
    call.write({ hello: { agent_version: 'probe', hostname: 'probe', os: '', kernel: '', arch: '', ips: [], linux_user: 'root', sessions: [] } });
  });
}
