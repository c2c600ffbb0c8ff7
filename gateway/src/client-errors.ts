import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Requests Node's HTTP parser refuses before Express sees them (headers or URL over 16 KiB, a
 * malformed request line, a header timeout) get the same JSON `{ "error" }` body as every other
 * refusal, instead of Node's bare status line.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A response already under way on this connection, or nobody left to read an answer.
    const busy = (socket as Duplex & { _httpMessage?: unknown })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || busy) {
      socket.destroy();
      return;
    }
    const [status, message] = err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request headers or URL too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request timeout']
        : [400, 'Bad request'];
    const body = JSON.stringify({ error: message });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Content-Type-Options: nosniff\r\n\r\n${body}`,
    );
  });
}
