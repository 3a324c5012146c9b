/**
 * Where a screen runs and what it was given: inside Jira (Forge Custom UI: `view.getContext()`) or in
 * the self-hosted service (query parameters, a saved language choice, the browser's settings).
 */
import { isForgeHost } from '../../src/contract/client';
import { pickLocale, type Locale } from './i18n';

/** The parts of the Forge context the screens read. */
export interface ForgeContextLike {
  /** The manifest key of the module (issue actions: `register-error`, `split-request`). */
  moduleKey?: string;
  locale?: string;
  timezone?: string;
  siteUrl?: string;
  extension?: {
    entryPoint?: string;
    gadgetConfiguration?: Record<string, unknown>;
    issue?: { key?: string; id?: string };
    [k: string]: unknown;
  };
}

export interface UiEnv {
  /** Inside Jira (Forge). */
  forge: boolean;
  forgeContext: ForgeContextLike | null;
  params: URLSearchParams;
  locale: Locale;
  /** The viewer's time zone (Forge context, else the browser's). */
  viewerZone: string;
}

const LANG_KEY = 'reglament.lang';

function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The cookie that carries the language choice to server-rendered pages (/, /login). */
export const LANG_COOKIE = 'reglament_lang';

function savedLang(): string | null {
  try {
    return window.localStorage.getItem(LANG_KEY);
  } catch {
    return null;
  }
}

function cookieLang(): string | null {
  const m = /(?:^|;\s*)reglament_lang=(ru|en)\b/.exec(document.cookie ?? '');
  return m ? m[1]! : null;
}

function saveLang(locale: Locale): void {
  try {
    window.localStorage.setItem(LANG_KEY, locale);
  } catch {
    // private mode: the cookie and the URL still carry it
  }
  document.cookie = `${LANG_COOKIE}=${locale}; path=/; max-age=31536000; SameSite=Lax`;
}

/** Reads the environment once at start-up. */
export async function loadEnv(): Promise<UiEnv> {
  const params = new URLSearchParams(window.location.search);
  if (isForgeHost()) {
    const { view } = await import('@forge/bridge');
    const ctx = (await view.getContext()) as unknown as ForgeContextLike;
    try {
      await view.theme.enable();
    } catch {
      // theming is optional
    }
    return {
      forge: true,
      forgeContext: ctx,
      params,
      locale: pickLocale([ctx.locale]),
      viewerZone: ctx.timezone || browserZone(),
    };
  }
  const asked = params.get('lang');
  const locale = pickLocale([asked, cookieLang(), savedLang(), navigator.language]);
  // A language named in the address sticks for the next pages too.
  if (asked && pickLocale([asked]) === locale && asked.toLowerCase().startsWith(locale)) saveLang(locale);
  return {
    forge: false,
    forgeContext: null,
    params,
    locale,
    viewerZone: params.get('tz') || browserZone(),
  };
}

/** Closes the Forge modal (issue actions); nothing outside Jira. */
export async function closeForgeView(): Promise<void> {
  if (!isForgeHost()) return;
  const { view } = await import('@forge/bridge');
  await view.close();
}

/** Remembers the service user's language choice (localStorage and the `reglament_lang` cookie, read
 * by every page and the server-rendered ones) and puts it in the address (no reload). */
export function rememberLocale(locale: Locale): void {
  saveLang(locale);
  const url = new URL(window.location.href);
  url.searchParams.set('lang', locale);
  window.history.replaceState(null, '', url.toString());
  document.documentElement.lang = locale;
}
