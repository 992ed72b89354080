// File names come from the sender: a browser, a mail client, a script. They are shown to
// agents and handed back in Content-Disposition, so they must not carry paths, control or
// direction-override characters (which can make `invoice‮fdp.exe` read as `invoice.exe`),
// nor grow without bound.

export const MAX_NAME_LENGTH = 200;
const MAX_EXTENSION_LENGTH = 20;
export const FALLBACK_NAME = 'attachment';

// Control characters, format characters (bidi overrides, zero-width), line and paragraph separators.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
// Reserved on Windows, where an agent may save the file.
const RESERVED = /[<>:"|?*]/g;

/** A safe display and download name for `raw`; `attachment` when nothing usable is left. */
export function sanitizeFileName(raw: string | null | undefined): string {
  if (!raw) return FALLBACK_NAME;
  let name = raw.normalize('NFC');
  // Some clients send the full path ("C:\Users\me\scan.pdf"); keep the last segment.
  name = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  name = name.replace(/\s+/g, ' ').replace(INVISIBLE, '').replace(RESERVED, '_');
  // Leading dots hide a file on Unix; trailing dots and spaces vanish on Windows.
  name = name.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
  if (!name) return FALLBACK_NAME;
  return truncateKeepingExtension(name);
}

function truncateKeepingExtension(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= MAX_NAME_LENGTH) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot) : '';
  const kept = Array.from(extension).length <= MAX_EXTENSION_LENGTH ? extension : '';
  const stem = Array.from(kept ? name.slice(0, dot) : name).slice(0, MAX_NAME_LENGTH - Array.from(kept).length);
  return stem.join('').trimEnd() + kept;
}

/** The name's extension without the dot, lower-cased; '' when it has none. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

// RFC 5987 attr-char: everything else is percent-encoded.
const encodeExtValue = (value: string) => encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * `attachment; filename="…"; filename*=UTF-8''…`: the quoted ASCII form for old clients,
 * the RFC 5987 form (which every current browser prefers) for the real name.
 */
export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/gu, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeExtValue(name)}`;
}
