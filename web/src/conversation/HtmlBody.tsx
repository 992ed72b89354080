import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

// An email's HTML, shown without ever running it: a sandboxed iframe (no allow-scripts,
// no forms, no top navigation) fed by srcdoc, with its own Content-Security-Policy that
// allows no script, no fetch, no remote font or style, and remote images only after the
// agent asks ("Show images": a remote image tells the sender that, when and where the
// mail was read). Images from our own /api/attachments/ are the mail's stored inline
// images (the API points large ones there). allow-same-origin only lets this page
// measure the content's height; with scripts off nothing inside can use it.
// The height is the content's own, measured on a wrapper that contains its margins and
// floats: the document's scrollHeight is never less than the frame's current height, so
// measuring that kept every frame at its first (or tallest, after "Show quoted text")
// height, a blank gap under a short mail.

const REMOTE = /(?:\b(?:src|background|poster)\s*=\s*["']?\s*(?:https?:)?\/\/)|(?:url\(\s*["']?\s*(?:https?:)?\/\/)/i;

function frameDocument(html: string, showImages: boolean): string {
  // Only the attachment route of our origin: any other address of ours is as remote as the sender's.
  const images = `data: ${window.location.origin}/api/attachments/${showImages ? ' https: http:' : ''}`;
  const policy = `default-src 'none'; style-src 'unsafe-inline'; img-src ${images}; font-src data:; media-src 'none'; form-action 'none'`;
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${policy}"><base target="_blank"><style>#ot-content{display:flow-root}html,body{margin:0;padding:0;background:#fff;color:#1d2330;font:14px/1.55 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;overflow-wrap:anywhere}img{max-width:100%;height:auto}table{max-width:100%}blockquote{margin:0 0 0 .5em;padding-left:.75em;border-left:3px solid #d5dae3;color:#4a5263}.ot-quoted{margin-top:12px;padding-left:.75em;border-left:3px solid #d5dae3;color:#4a5263}</style></head><body><div id="ot-content">${html}</div></body></html>`;
}

export function HtmlBody({ html, title }: { html: string; title: string }) {
  const [showImages, setShowImages] = useState(false);
  const [height, setHeight] = useState(120);
  const frame = useRef<HTMLIFrameElement>(null);
  const hasRemote = useMemo(() => REMOTE.test(html), [html]);
  const srcDoc = useMemo(() => frameDocument(html, showImages), [html, showImages]);

  // One function for the frame's life: the observer below is set up once.
  const measure = useCallback(() => {
    const content = frame.current?.contentDocument?.getElementById('ot-content');
    if (content) setHeight(Math.min(Math.max(Math.ceil(content.getBoundingClientRect().height), 20), 4000));
  }, []);
  // A narrower or wider frame wraps the text anew.
  useEffect(() => {
    const element = frame.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    let width = element.clientWidth;
    const observer = new ResizeObserver(() => {
      if (element.clientWidth === width) return;
      width = element.clientWidth;
      measure();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [measure]);

  return (
    <div className="html-body">
      {hasRemote && !showImages ? (
        <div className="images-blocked">
          <span>Remote images are blocked to protect your privacy.</span>
          <button type="button" className="button button-small" onClick={() => setShowImages(true)}>
            Show images
          </button>
        </div>
      ) : null}
      <iframe
        ref={frame}
        title={title}
        sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
        referrerPolicy="no-referrer"
        srcDoc={srcDoc}
        style={{ height }}
        onLoad={measure}
      />
    </div>
  );
}
