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

/**
 * A hand-driven agent stream, for what a real agent would never do: impostors, forged session ids,
 * forged output. Collects what the bridge sends and how it ended the stream.
 */
export class ProbeAgent {
  readonly received: any[] = [];
  ended: { code: number; details: string } | null = null;
  private readonly client: any;
  private readonly call: any;

  constructor(port: number, bearer: string, agentId: string, o: { registrationToken?: string; sessions?: string[] } = {}) {
    const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(AGENT_PROTO_PATH, AGENT_PROTO_OPTIONS)) as any;
    this.client = new pkg.webxterm.agent.v1.AgentGateway(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${bearer}`);
    md.set(AGENT_MD.agentId, agentId);
    if (o.registrationToken) md.set(AGENT_MD.registrationToken, o.registrationToken);
    this.call = this.client.Connect(md);
    this.call.on('data', (m: any) => this.received.push(m));
    this.call.on('error', () => undefined);
    this.call.on('status', (s: grpc.StatusObject) => { this.ended = { code: s.code, details: s.details }; });
    const sessions = (o.sessions ?? []).map((session_id) => ({ session_id, next_seq: 1, acked_seq: 0 }));
    this.send({ hello: { agent_version: 'probe', hostname: 'probe', os: '', kernel: '', arch: '', ips: [], linux_user: 'nobody', sessions } });
  }

  get welcome(): any { return this.received.find((m) => m.welcome)?.welcome; }

  send(m: unknown): void { if (!this.ended) this.call.write(m); }

  close(): void { this.call.cancel(); this.client.close(); }
}
