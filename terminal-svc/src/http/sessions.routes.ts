import { Router } from 'express';
import { AccessTokenVerifier, NatsConnection } from '@webxterm/kit';
import type { SessionService } from '../domain/session.service';
import { asciicastEvent, asciicastHeader } from '../domain/asciicast';
import { OutputGap, readOutput } from '../ws/output-reader';

/** /api/terminal/sessions …: active sessions, closing one, and its recording as asciicast v2. */
export function sessionRoutes(verifier: AccessTokenVerifier, sessions: SessionService, nc: NatsConnection): Router {
  const r = Router();
  r.get('/api/terminal/sessions', async (req, res) => {
    res.json({ sessions: await sessions.listActive(await verifier.verifyRequest(req)) });
  });
  r.get('/api/terminal/sessions/:session_id', async (req, res) => {
    res.json(await sessions.get(await verifier.verifyRequest(req), req.params.session_id));
  });
  r.delete('/api/terminal/sessions/:session_id', async (req, res) => {
    await sessions.close(await verifier.verifyRequest(req), req.params.session_id);
    res.json({ message: 'Session closed' });
  });
  r.get('/api/terminal/sessions/:session_id/recording', async (req, res) => {
    const s = await sessions.get(await verifier.verifyRequest(req), req.params.session_id);
    const started = Date.parse(s.started_at);
    res.type('application/x-asciicast').setHeader('content-disposition', `attachment; filename="${s.id}.cast"`);
    res.write(`${asciicastHeader(s)}\n`);
    // Everything stored so far (the stream's timestamps give the timing).
    const abort = new AbortController();
    req.on('close', () => abort.abort());
    try {
      for await (const ev of readOutput(nc, s.id, 0, abort.signal, false)) {
        if (ev.kind === 'data') res.write(`${asciicastEvent(started, ev.at, ev.data)}\n`);
      }
    } catch (e) {
      // A hole the agent could no longer fill: the recording ends where the record does.
      if (!(e instanceof OutputGap)) throw e;
    }
    res.end();
  });
  return r;
}
