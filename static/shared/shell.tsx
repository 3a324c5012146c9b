/**
 * The application shell of the self-hosted service: one navigation (Dashboard, Issues, Reports,
 * Administration), the signed-in user (GET /auth/session) with sign-in / sign-out, and the one language
 * switch (saved in localStorage and a cookie, applied on every page). Inside Jira (Forge Custom UI)
 * it renders only its children: Jira is the shell there.
 */
import React, { createContext, useContext, useEffect, useState } from 'react';
import './shell.css';
import { SECTIONS, type ShellSection } from './shell-model';
import { LanguageSwitch, useUi } from './ui';

export { sectionOf, SECTIONS, type ShellSection } from './shell-model';

/** True below an AppShell: the page's own header leaves the language switch to the shell. */
export const InShell = createContext(false);
export const useInShell = (): boolean => useContext(InShell);

interface Session {
  user: string | null;
  role: 'viewer' | 'agent' | 'administrator' | null;
  via?: string;
}

function useSession(enabled: boolean): Session | null | undefined {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  useEffect(() => {
    if (!enabled || typeof fetch !== 'function') return;
    let live = true;
    fetch('/auth/session', { credentials: 'same-origin', headers: { accept: 'application/json' } })
      // a refusal's body is read too, so the request ends (nothing left in flight)
      .then((r) => (r.ok ? (r.json() as Promise<Session>) : r.text().then(() => null)))
      .then(
        (s) => live && setSession(s),
        () => live && setSession(null),
      );
    return () => {
      live = false;
    };
  }, [enabled]);
  return session;
}

function UserBox({ session }: { session: Session | null | undefined }) {
  const { t, env } = useUi();
  if (session === undefined) return null;
  const here = `${window.location.pathname}${window.location.search}`;
  const signIn = `/login?lang=${env.locale}&next=${encodeURIComponent(here)}`;
  if (!session?.user || session.role === null)
    return (
      <span className="rg-shell-user" data-testid="shell-user">
        {t('shell.anonymous')} ·{' '}
        <a href={signIn} data-testid="shell-sign-in">
          {t('shell.signIn')}
        </a>
      </span>
    );
  const signOut = async () => {
    try {
      await fetch('/logout', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    } finally {
      window.location.assign('/');
    }
  };
  return (
    <span className="rg-shell-user" data-testid="shell-user">
      {t('shell.signedInAs', { name: session.user })}
      {session.role ? ` (${t(`shell.role.${session.role}`)})` : ''}
      {session.via === 'session' && (
        <>
          {' '}
          <button type="button" className="rg-button rg-button-subtle" onClick={() => void signOut()}>
            {t('shell.signOut')}
          </button>
        </>
      )}
    </span>
  );
}

export function AppShell(props: { active: ShellSection | null; children: React.ReactNode }): JSX.Element {
  const { env, t } = useUi();
  const session = useSession(!env.forge);
  if (env.forge) return <>{props.children}</>;
  return (
    <InShell.Provider value={true}>
      <header className="rg-shell-bar" data-testid="app-shell">
        <a className="rg-shell-brand" href="/">
          reglament
        </a>
        <nav className="rg-shell-nav" aria-label={t('shell.nav')}>
          <ul>
            {SECTIONS.map((s) => (
              <li key={s.id}>
                <a
                  href={s.href}
                  data-testid={`nav-${s.id}`}
                  aria-current={props.active === s.id ? 'page' : undefined}
                >
                  {t(s.label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="rg-shell-tools">
          <UserBox session={session} />
          <LanguageSwitch />
        </div>
      </header>
      {props.children}
    </InShell.Provider>
  );
}
