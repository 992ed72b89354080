// An inline image too large to travel in a message's stored HTML (a mail's cid: image past
// the data: URL budget) loses its src and names its stored attachment by SHA-256 instead;
// the API, which knows the attachment's id and who may see it, gives it back its address.
// The one place that knows the marker's shape, for the side that writes it and the side
// that reads it.

/** The attributes an inline image is stored with in place of its src. */
export const storedImageMarker = (sha256: string) => `src="" data-ot-attachment="${sha256}"`;

const MARKER = /src="" data-ot-attachment="([0-9a-f]{64})"/g;

/** Points every marked image at `urlOf` its SHA-256; one `urlOf` does not know keeps its marker. */
export function pointStoredImages(html: string, urlOf: (sha256: string) => string | undefined): string {
  if (!html.includes('data-ot-attachment=')) return html;
  return html.replace(MARKER, (whole, sha256: string) => {
    const url = urlOf(sha256);
    return url === undefined ? whole : `src="${url}" data-ot-attachment="${sha256}"`;
  });
}
