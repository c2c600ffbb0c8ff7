import { StringDecoder } from 'node:string_decoder';
import { Router } from 'express';
import { AccessTokenVerifier, NatsConnection } from '@webxterm/kit';
import type { SessionService } from '../domain/session.service';
import { RecordingDeleted, type RecordingRetention } from '../domain/recording-retention';
import { asciicastEvent, asciicastHeader, asciicastMarker, asciicastResize, type TerminalSize } from '../domain/asciicast';
import { OutputGap, readOutput } from '../ws/output-reader';

/** /api/terminal/sessions …: active sessions, closing one, and its recording as asciicast v2. */
export function sessionRoutes(
  verifier: AccessTokenVerifier, sessions: SessionService, nc: NatsConnection,
  commandsOf: (tenantId: string, sessionId: string) => Promise<{ command: string; seq: number; offset_ms: number }[]>,
  retention: RecordingRetention, recordingDeleted: (tenantId: string, sessionId: string) => Promise<boolean>,
  resizesOf: (tenantId: string, sessionId: string) => Promise<TerminalSize[]>,
): Router {
  const r = Router();
  r.get('/api/terminal/recording-retention', async (req, res) => {
    res.json(await retention.get(await verifier.verifyRequest(req)));
  });
  r.put('/api/terminal/recording-retention', async (req, res) => {
    res.json(await retention.set(await verifier.verifyRequest(req), req.body));
  });
  r.get('/api/terminal/sessions', async (req, res) => {
    res.json({ sessions: await sessions.listActive(await verifier.verifyRequest(req)) });
  });
  r.get('/api/terminal/sessions/:session_id', async (req, res) => {
    res.json(await sessions.get(await verifier.verifyRequest(req), req.params.session_id));
  });
  r.delete('/api/terminal/sessions/:session_id', async (req, res) => {
    await sessions.close(await verifier.verifyRequest(req), req.params.session_id, req.ip ?? null);
    res.json({ message: 'Session closed' });
  });
  r.get('/api/terminal/sessions/:session_id/recording', async (req, res) => {
    const s = await sessions.get(await verifier.verifyRequest(req), req.params.session_id);
    if (await recordingDeleted(s.tenant_id, s.id)) throw RecordingDeleted();
    const started = Date.parse(s.started_at);
    res.type('application/x-asciicast').setHeader('content-disposition', `attachment; filename="${s.id}.cast"`);
    res.write(`${asciicastHeader(s)}\n`);
    // Everything stored so far (the stream's timestamps give the timing).
    const abort = new AbortController();
    req.on('close', () => abort.abort());
    // Each command typed in the session is a marker just before the output chunk in which it started.
    const commands = await commandsOf(s.tenant_id, s.id).catch(() => []);
    // Each resize goes before the first output printed after it.
    const resizes = await resizesOf(s.tenant_id, s.id);
    const resizedUpTo = (atMs: number) => {
      while (resizes.length && resizes[0].at <= atMs) res.write(`${asciicastResize(started, resizes.shift()!)}\n`);
    };
    const decoder = new StringDecoder('utf8');
    try {
      for await (const ev of readOutput(nc, s.id, 0, abort.signal, { follow: false })) {
        resizedUpTo(ev.at);
        while (commands.length && commands[0].seq <= ev.seq) {
          const c = commands.shift()!;
          res.write(`${asciicastMarker(Math.min(c.offset_ms, ev.at - started) / 1000, c.command.slice(0, 200))}\n`);
        }
        if (ev.kind === 'data') res.write(`${asciicastEvent(started, ev.at, ev.data, decoder)}\n`);
      }
    } catch (e) {
      // A hole the agent could no longer fill: the recording ends where the record does.
      if (!(e instanceof OutputGap)) throw e;
    }
    res.end();
  });
  return r;
}
