/** Test images, made here: real ones with metadata, and hostile ones (bomb, polyglot, script, SVG). */
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

export const SECRET = 'GPS-SECRET-42.1234N';

/** A real photo-like image of `format` carrying EXIF (with the secret), so stripping can be seen. */
export async function imageWithMetadata(format: 'png' | 'jpeg' | 'webp', width = 64, height = 48): Promise<Buffer> {
  const base = sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 60 } } })
    .withMetadata({ exif: { IFD0: { Copyright: SECRET, Artist: SECRET, ImageDescription: SECRET } } });
  return format === 'png' ? base.png().toBuffer() : format === 'jpeg' ? base.jpeg().toBuffer() : base.webp().toBuffer();
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([len, typed, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A valid 1-bit grayscale PNG of side × side pixels, all black: tiny on disk (about 12 KB for
 * 10,000²) but 400 MB as RGBA once decoded — a decompression bomb.
 */
export function decompressionBomb(side = 10_000): Buffer {
  const row = 1 + Math.ceil(side / 8);
  const idat = deflateSync(Buffer.alloc(row * side), { level: 9 });
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grayscale
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

export const SCRIPT = '<script>alert(document.cookie)</script>';

/**
 * A polyglot: a valid PNG that also carries HTML with script — in a text chunk before IEND and as
 * bytes appended after it — so a browser sniffing it as HTML would run the script.
 */
export async function polyglotPng(): Promise<Buffer> {
  const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#00ff00' } }).png().toBuffer();
  const iend = png.length - 12;
  return Buffer.concat([
    png.subarray(0, iend), chunk('tEXt', Buffer.from(`Comment\0<html>${SCRIPT}</html>`, 'latin1')), png.subarray(iend),
    Buffer.from(`<html><body>${SCRIPT}</body></html>`),
  ]);
}

/** A JPEG that is also a valid-looking HTML page after its end-of-image marker. */
export async function polyglotJpeg(): Promise<Buffer> {
  const jpg = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#0000ff' } }).jpeg().toBuffer();
  return Buffer.concat([jpg, Buffer.from(`<!doctype html>${SCRIPT}`)]);
}

export const SVG = Buffer.from(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)">${SCRIPT}<rect width="10" height="10"/></svg>`);

/** A script saved with a .png name. */
export const SCRIPT_AS_PNG = Buffer.from(`${SCRIPT}\n<?php system($_GET['c']); ?>\n`);

export const GIF = () => sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } }).gif().toBuffer();
