// Which URLs model output may point at. Links: https, http and mailto only. Images: only from origins
// the page allowed, over http(s); never data:. Relative URLs resolve against nothing, so they are refused,
// and so are URLs with credentials (`https://bank.example@evil.example/` disguises its host).
import { decodeEntities } from './html-entities.js';

const LINK_PROTOCOLS = new Set(['https:', 'http:', 'mailto:']);
const IMAGE_PROTOCOLS = new Set(['https:', 'http:']);
// Browsers drop tabs and newlines inside URLs and trim controls and spaces, so `java&#9;script:` and
// ` javascript:` are javascript: URLs; strip them all before looking at the scheme.
const INVISIBLE = /[\p{Cc}\s]/gu;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * The destination as an absolute URL, or null. `literal` is for autolinks, whose text is the URL as
 * written (CommonMark does not decode character references there).
 */
function absoluteUrl(destination: string, literal: boolean): URL | null {
  const cleaned = (literal ? destination : decodeEntities(destination)).replace(INVISIBLE, '');
  if (!SCHEME.test(cleaned)) return null;
  try {
    const url = new URL(cleaned);
    return url.username || url.password ? null : url;
  } catch {
    return null;
  }
}

/** The `href` a link may have, or null: then the link renders as its text. */
export function linkHref(destination: string, literal = false): string | null {
  const url = absoluteUrl(destination, literal);
  return url && LINK_PROTOCOLS.has(url.protocol) ? url.href : null;
}

/** The `src` an image may have: an http(s) URL on one of `allowedOrigins`, or null. */
export function imageSrc(destination: string, allowedOrigins: ReadonlySet<string>): string | null {
  const url = absoluteUrl(destination, false);
  return url && IMAGE_PROTOCOLS.has(url.protocol) && allowedOrigins.has(url.origin) ? url.href : null;
}

/** The page's `image-origins` as exact origins (`https://cdn.example.com`); anything else is dropped. */
export function imageOriginSet(origins: readonly string[]): ReadonlySet<string> {
  const set = new Set<string>();
  for (const origin of origins) {
    const url = absoluteUrl(origin.trim(), true);
    if (url && IMAGE_PROTOCOLS.has(url.protocol)) set.add(url.origin);
  }
  return set;
}
