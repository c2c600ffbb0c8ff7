import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useEffect, useMemo, useRef } from 'react';
import { authHeaders } from '../api/http';

/** Markdown written by people: rendered, then sanitised; our own image links load with the token. */
export function Markdown({ text }: { text: string }) {
  const html = useMemo(() => DOMPurify.sanitize(marked.parse(text, { async: false, gfm: true, breaks: true }) as string), [text]);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const urls: string[] = [];
    const imgs = Array.from(ref.current?.querySelectorAll<HTMLImageElement>('img') ?? []);
    for (const img of imgs) {
      const src = img.getAttribute('src') ?? '';
      if (!src.startsWith('/api/community/images/')) { img.removeAttribute('src'); img.alt = `${img.alt} (outside image not loaded)`; continue; }
      img.removeAttribute('src');
      void fetch(src, { headers: authHeaders() }).then((r) => (r.ok ? r.blob() : null)).then((b) => {
        if (!b) return;
        const u = URL.createObjectURL(b);
        urls.push(u);
        img.src = u;
      }).catch(() => undefined);
    }
    return () => { for (const u of urls) URL.revokeObjectURL(u); };
  }, [html]);
  return <div className="markdown" ref={ref} dangerouslySetInnerHTML={{ __html: html }} />;
}
