/** The upload pipeline on real images with real sharp/libvips: what goes in, what comes out. */
import sharp from 'sharp';
import { ImageSanitizer } from '../src/domain/image-sanitizer';
import { sniffImageType } from '../src/domain/image-format';
import { decompressionBomb, GIF, imageWithMetadata, polyglotJpeg, polyglotPng, SCRIPT, SCRIPT_AS_PNG, SECRET, SVG } from './lib/images';

const sanitizer = new ImageSanitizer({ maxPixels: 25_000_000, concurrency: 2 });

describe('ImageSanitizer', () => {
  it.each([['png', 'image/png'], ['jpeg', 'image/jpeg'], ['webp', 'image/webp']] as const)(
    '%s: same type and size out, every metadata byte gone', async (format, type) => {
      const input = await imageWithMetadata(format);
      expect(input.includes(SECRET)).toBe(true);
      expect((await sharp(input).metadata()).exif).toBeDefined();
      const out = await sanitizer.clean(input);
      expect(out).toMatchObject({ contentType: type, width: 64, height: 48 });
      expect(sniffImageType(out.data)).toBe(type);
      expect(out.data.includes(SECRET)).toBe(false);
      const meta = await sharp(out.data).metadata();
      expect(meta).toMatchObject({ format, width: 64, height: 48 });
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
    });

  it('a polyglot PNG or JPEG comes out as pixels only: no script, nothing after the image', async () => {
    for (const input of [await polyglotPng(), await polyglotJpeg()]) {
      expect(input.includes(SCRIPT)).toBe(true);
      const out = await sanitizer.clean(input);
      expect(out.data.includes('<script')).toBe(false);
      expect(out.data.includes('<html')).toBe(false);
      expect((await sharp(out.data).metadata()).comments).toBeUndefined();
    }
  });

  it.each([
    ['a script named .png', () => Promise.resolve(SCRIPT_AS_PNG)],
    ['an SVG', () => Promise.resolve(SVG)],
    ['a GIF', GIF],
    ['an empty file', () => Promise.resolve(Buffer.alloc(0))],
    ['a PNG signature followed by garbage', () => Promise.resolve(Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(200, 7)]))],
    ['a truncated JPEG', async () => (await imageWithMetadata('jpeg', 400, 300)).subarray(0, 600)],
  ])('%s is not an image here', async (_n, make) => {
    await expect(sanitizer.clean(await make())).rejects.toMatchObject({ kind: 'invalid', message: 'file: must be a PNG, JPEG or WebP image' });
  });

  it('a decompression bomb (12 KB that decodes to 400 MB) is refused from its header', async () => {
    const bomb = decompressionBomb(10_000);
    expect(bomb.length).toBeLessThan(20_000);
    const before = process.memoryUsage().rss;
    await expect(sanitizer.clean(bomb)).rejects.toMatchObject({ kind: 'too_large', message: 'Image too large: at most 25000000 pixels' });
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('sniffing reads the content only', () => {
    expect(sniffImageType(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(sniffImageType(Buffer.from('RIFF\0\0\0\0AVI LIST'))).toBeNull();
    expect(sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImageType(SVG)).toBeNull();
  });
});
