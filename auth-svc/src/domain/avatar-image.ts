import sharp from 'sharp';
import { NotAnImage, TooManyPixels } from './auth.errors';

/**
 * Avatar images: told by their content, bounded before decoding, re-encoded. Copied in its core
 * from community-svc's image sanitizer rather than shared through packages/kit: the kit is plumbing
 * every service loads (gateway, agent-bridge, terminal-svc…), and sharp is a native addon only the
 * two services that take images should carry. Avatars are also scaled down, which uploads are not.
 */
export type ImageType = 'image/png' | 'image/jpeg' | 'image/webp';

export interface CleanImage { contentType: ImageType; data: Buffer; width: number; height: number }

export interface AvatarLimits {
  /** Largest width × height, checked from the header before any pixel is decoded. */
  maxPixels: number;
  /** Avatars are scaled to fit a square of this side (never enlarged). */
  maxSide: number;
  /** Images decoded at once; the rest queue. */
  concurrency: number;
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const SHARP_FORMAT: Record<ImageType, 'png' | 'jpeg' | 'webp'> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/webp': 'webp' };

/**
 * The image type the first bytes say — never the file name or the Content-Type sent. Only PNG,
 * JPEG and WebP; SVG (a document that can carry script), GIF and everything else are refused.
 */
export function sniffImageType(head: Buffer): ImageType | null {
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG)) return 'image/png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

// Operation caches keep decoded images around; every upload is new, so there is nothing to reuse.
sharp.cache(false);

/**
 * An untrusted upload in, a clean image of the same type out: nothing of the original file
 * survives but its pixels (no EXIF/GPS, XMP, ICC or text chunks, no bytes appended after the image,
 * no script). EXIF orientation is applied to the pixels first.
 */
export class AvatarImages {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limits: AvatarLimits) {}

  async clean(input: Buffer): Promise<CleanImage> {
    const contentType = sniffImageType(input);
    if (!contentType) throw NotAnImage();
    await this.acquire();
    try {
      return await this.reencode(input, contentType);
    } finally {
      this.release();
    }
  }

  private async reencode(input: Buffer, contentType: ImageType): Promise<CleanImage> {
    const format = SHARP_FORMAT[contentType];
    const open = () => sharp(input, { limitInputPixels: this.limits.maxPixels, failOn: 'error', sequentialRead: true });
    let meta: sharp.Metadata;
    try {
      meta = await open().metadata();
    } catch (e) {
      throw this.refusal(e);
    }
    if (meta.format !== format || !meta.width || !meta.height) throw NotAnImage();
    if (meta.width * meta.height > this.limits.maxPixels) throw TooManyPixels(this.limits.maxPixels);
    try {
      const side = this.limits.maxSide;
      const pipeline = open().autoOrient().resize(side, side, { fit: 'inside', withoutEnlargement: true });
      const encoded = format === 'png' ? pipeline.png({ compressionLevel: 6 })
        : format === 'jpeg' ? pipeline.jpeg({ quality: 85 })
          : pipeline.webp({ quality: 85 });
      const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
      return { contentType, data, width: info.width, height: info.height };
    } catch (e) {
      throw this.refusal(e);
    }
  }

  /** libvips refuses an image over the pixel limit from its header alone; anything else it cannot read is not an image. */
  private refusal(e: unknown) {
    return /pixel limit/i.test((e as Error).message) ? TooManyPixels(this.limits.maxPixels) : NotAnImage();
  }

  private acquire(): Promise<void> {
    if (this.running < this.limits.concurrency) { this.running++; return Promise.resolve(); }
    return new Promise((resolve) => this.waiting.push(() => { this.running++; resolve(); }));
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}
