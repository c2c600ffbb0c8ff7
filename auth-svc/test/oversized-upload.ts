import { request } from 'node:http';

/**
 * Sends an upload the way a hostile client would, and stops writing as soon as the server
 * answers. `body` is the file, or a size for that many bytes (a PNG signature, then zeros). With
 * `declared`, the Content-Length names the whole size and only the first 64 KiB are sent (a server
 * must refuse from the header alone); without it, the body is streamed (chunked) in 64 KiB pieces
 * until the answer comes. Resolves with the status, the JSON answer and the bytes sent.
 * (fetch cannot do this reliably: once the server has answered and closed, its write fails with EPIPE.)
 */
export function oversizedUpload(url: string, headers: Record<string, string>, body: Buffer | number, declared: boolean): Promise<{ status: number; body: any; sent: number }> {
  const total = typeof body === 'number' ? body : body.length;
  const piece = (at: number) => {
    const n = Math.min(64 * 1024, total - at);
    if (typeof body !== 'number') return body.subarray(at, at + n);
    const b = Buffer.alloc(n);
    if (at === 0) b.set(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).subarray(0, n));
    return b;
  };
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(url, { method: 'POST', headers: { ...headers, ...(declared ? { 'content-length': String(total) } : {}) } });
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => {
        req.destroy();
        let parsed: unknown = text;
        try { parsed = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, body: parsed, sent });
      });
    });
    req.on('error', (e) => { if (!answered) reject(e); });
    const first = piece(0);
    sent += first.length;
    req.write(first);
    if (declared) return;
    const more = () => {
      while (!answered && sent < total) {
        const p = piece(sent);
        sent += p.length;
        if (!req.write(p)) { req.once('drain', more); return; }
      }
      if (!answered) req.end();
    };
    more();
  });
}
