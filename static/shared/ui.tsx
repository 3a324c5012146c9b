/**
 * Shared building blocks of the screens: the start-up (environment, client, language), the i18n
 * context, and a few accessible components in an Atlassian-like style (plain HTML + CSS, see
 * static/shared/styles.css; docs/ui.md explains why not the Atlassian Design System packages).
 */
import React, { createContext, useContext, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { autoTransport, createClient, type Client } from '../../src/contract/client';
import { loadEnv, rememberLocale, type UiEnv } from './env';
import { errorText } from './errors';
import { AppShell, sectionOf, useInShell } from './shell';
import { translator, type Locale, type Translator } from './i18n';

export interface UiServices {
  env: UiEnv;
  client: Client;
  t: Translator;
  setLocale: (l: Locale) => void;
}

const Ctx = createContext<UiServices | null>(null);

export function useUi(): UiServices {
  const v = useContext(Ctx);
  if (!v) throw new Error('useUi outside <UiRoot>');
  return v;
}

export function useT(): Translator {
  return useUi().t;
}

function UiRoot({ env, client, App }: { env: UiEnv; client: Client; App: React.ComponentType }) {
  const [locale, setLocaleState] = useState<Locale>(env.locale);
  const services = useMemo<UiServices>(
    () => ({
      env: { ...env, locale },
      client,
      t: translator(locale),
      setLocale: (l: Locale) => {
        if (!env.forge) rememberLocale(l);
        setLocaleState(l);
      },
    }),
    [env, client, locale],
  );
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  return (
    <Ctx.Provider value={services}>
      <AppShell active={sectionOf(window.location.pathname)}>
        <App />
      </AppShell>
    </Ctx.Provider>
  );
}

/** Starts a screen: reads the environment, picks the transport, renders `App` into #root. */
export async function mount(App: React.ComponentType): Promise<void> {
  const el = document.getElementById('root');
  if (!el) throw new Error('#root missing');
  const root = createRoot(el);
  try {
    const env = await loadEnv();
    document.documentElement.lang = env.locale;
    const client = createClient(autoTransport());
    root.render(<UiRoot env={env} client={client} App={App} />);
  } catch (e) {
    root.render(
      <div role="alert" className="rg-banner rg-banner-error">
        {e instanceof Error ? e.message : String(e)}
      </div>,
    );
  }
}

export type LozengeAppearance = 'success' | 'removed' | 'moved' | 'inprogress' | 'default' | 'new';

export function Lozenge({
  appearance,
  children,
}: {
  appearance: LozengeAppearance;
  children: React.ReactNode;
}) {
  return <span className={`rg-lozenge rg-lozenge-${appearance}`}>{children}</span>;
}

/** Lozenge appearance of a clock state. */
export function stateAppearance(state: string | null | undefined): LozengeAppearance {
  switch (state) {
    case 'met':
      return 'success';
    case 'breached':
      return 'removed';
    case 'at-risk':
      return 'moved';
    case 'running':
      return 'inprogress';
    default:
      return 'default';
  }
}

const STATES = ['running', 'at-risk', 'met', 'breached', 'not-applicable'] as const;

/** The label of a clock state (the code itself when unknown). */
export function stateLabel(t: Translator, state: string, gender?: string): string {
  const known = STATES.find((s) => s === state);
  return known ? t(`state.${known}`, gender ? { gender } : {}) : state;
}

/** The service's language switch (inside Jira the product's language is used). */
export function LanguageSwitch() {
  const { env, t, setLocale } = useUi();
  if (env.forge) return null;
  return (
    <div className="rg-lang" role="group" aria-label={t('lang.label')}>
      {(['en', 'ru'] as const).map((l) => (
        <button
          key={l}
          type="button"
          className="rg-button rg-button-subtle"
          aria-pressed={env.locale === l}
          lang={l}
          onClick={() => setLocale(l)}
        >
          {t(l === 'en' ? 'lang.en' : 'lang.ru')}
        </button>
      ))}
    </div>
  );
}

export function Header({ title, children }: { title: string; children?: React.ReactNode }) {
  const inShell = useInShell();
  useEffect(() => {
    document.title = title;
  }, [title]);
  return (
    <header className="rg-header">
      <h1>{title}</h1>
      <div className="rg-header-tools">
        {children}
        {!inShell && <LanguageSwitch />}
      </div>
    </header>
  );
}

export function Loading() {
  const t = useT();
  return (
    <p className="rg-muted" role="status">
      {t('common.loading')}
    </p>
  );
}

export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  const message = errorText(t, error);
  return (
    <div role="alert" className="rg-banner rg-banner-error">
      <span>{t('common.loadFailed', { message })}</span>
      {onRetry && (
        <button type="button" className="rg-button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

/** Loads data with the client; re-runs when `deps` change. */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: React.DependencyList,
): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) => live && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}
