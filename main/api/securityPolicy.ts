/**
 * The Content-Security-Policy of the UI, the same in browser mode (HTTP header on index.html) and in Electron
 * (header on facet-app:// responses). Scripts and connections only from the app itself; images also from
 * blob: (a dropped photo's preview) and the media scheme; no plugins, frames, forms or <base>.
 * 'unsafe-inline' for styles only: Svelte sets style attributes at run time.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data: facet-media:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
