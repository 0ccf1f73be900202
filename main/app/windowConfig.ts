/**
 * The shell's security settings as pure values and predicates, so each is tested without Electron:
 * the window's web preferences, which URLs the window may show, which permission requests pass (none),
 * and the headers every UI response carries.
 */
import { CONTENT_SECURITY_POLICY } from '../api/securityPolicy.ts';

/** The UI is served from this origin by the facet-app:// protocol; nothing else may load in the window. */
export const APP_SCHEME = 'facet-app';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const MEDIA_SCHEME = 'facet-media';

export function windowOptions(preloadPath: string) {
  return {
    width: 1280,
    height: 860,
    minWidth: 800,
    minHeight: 560,
    title: 'Facet',
    backgroundColor: '#16181d',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  };
}

/** Whether `url` is a page of our UI (navigation elsewhere, window.open included, is refused). */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === 'app';
  } catch {
    return false;
  }
}

/**
 * Origins whose links the window may hand to the user's browser (https only). None today: Facet links nowhere,
 * and a link in a name or a file's metadata must not become a way to open arbitrary pages.
 */
export const EXTERNAL_LINK_ALLOWLIST: readonly string[] = [];

/** Whether a link the page tries to open (window.open, target=_blank) goes to the user's browser. */
export function isAllowedExternalLink(url: string, allowList: readonly string[] = EXTERNAL_LINK_ALLOWLIST): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' && allowList.includes(parsed.origin);
  } catch {
    return false;
  }
}

/** Permission requests (camera, notifications, geolocation, ...): Facet needs none, so all are denied. */
export function allowPermission(_permission: string): boolean {
  return false;
}

/** Headers for every response of the UI protocol. */
export function securityHeaders(contentType: string): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  };
  if (contentType.startsWith('text/html')) headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
  return headers;
}

/** Privileges of the two custom schemes, registered before the app is ready. */
export const SCHEME_PRIVILEGES = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
];
