import type { IncomingMessage } from 'node:http';
import Busboy from '@fastify/busboy';
import { AppError } from '@webxterm/kit';
import { ImageMissing, MalformedUpload, UploadTooLarge } from '../domain/auth.errors';

/** Room for multipart boundaries and part headers on top of the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

/**
 * Copied from community-svc (src/http/upload-body.ts) with auth-svc's errors: see
 * domain/avatar-image.ts for why the image code is not shared through packages/kit.
 *
 * The uploaded file's bytes, at most `max` of them: a multipart/form-data part named `file` (or
 * any part with a filename — what a browser's FormData sends), or the request body itself when it
 * is sent as `image/*` or `application/octet-stream`. A declared Content-Length over the limit is
 * refused before anything is read; a body that grows past it is cut off at the limit. What the
 * client says the type is does not matter: the content is checked afterwards.
 */
export async function readUpload(req: IncomingMessage, max: number): Promise<Buffer> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
  if (type.startsWith('multipart/form-data')) {
    if (declared !== null && declared > max + MULTIPART_OVERHEAD) throw UploadTooLarge(max);
    return readMultipartFile(req, max);
  }
  if (type.startsWith('image/') || type.startsWith('application/octet-stream')) {
    if (declared !== null && declared > max) throw UploadTooLarge(max);
    return readBounded(req, max);
  }
  throw ImageMissing();
}

function readBounded(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > max) { stop(); reject(UploadTooLarge(max)); return; }
      chunks.push(c);
    };
    const onEnd = () => { stop(); resolve(Buffer.concat(chunks)); };
    const onError = () => { stop(); reject(aborted()); };
    const stop = () => { req.off('data', onData); req.off('end', onEnd); req.off('error', onError); req.off('aborted', onError); req.pause(); };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onError);
  });
}

function readMultipartFile(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let bb: ReturnType<typeof Busboy>;
    try {
      bb = Busboy({
        headers: req.headers as Parameters<typeof Busboy>[0]['headers'],
        limits: { fileSize: max, files: 1, fields: 20, fieldSize: 8192, parts: 21, headerPairs: 50 },
        isPartAFile: (field, _type, filename) => filename !== undefined || field === 'file' || field === 'image',
      });
    } catch {
      return reject(MalformedUpload());
    }
    let settled = false;
    const fail = (e: AppError) => { if (settled) return; settled = true; req.unpipe(bb); req.pause(); reject(e); };
    let file: Promise<Buffer> | null = null;
    bb.on('file', (_field, stream) => {
      if (file) { stream.resume(); return; }
      file = new Promise<Buffer>((done, failed) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('limit', () => { failed(UploadTooLarge(max)); fail(UploadTooLarge(max)); });
        stream.on('end', () => (stream.truncated ? failed(UploadTooLarge(max)) : done(Buffer.concat(chunks))));
        stream.on('error', () => failed(aborted()));
      });
      file.catch(() => undefined);
    });
    bb.on('finish', () => {
      if (settled) return;
      if (!file) return fail(ImageMissing());
      file.then((b) => { settled = true; resolve(b); }, (e) => fail(e));
    });
    bb.on('error', () => fail(MalformedUpload()));
    req.on('aborted', () => fail(aborted()));
    req.pipe(bb);
  });
}

const aborted = () => new AppError('invalid', 'request.aborted', 'Request aborted');
