/**
 * Sign-in against LDAP / Active Directory: a simple bind as the user (the password is checked by the
 * directory, never stored here), then the user's groups decide the role: `memberOf` of the user's entry
 * and groups under `groupBase` naming the user (member, uniqueMember, memberUid). No group matched and
 * a viewer group configured: refused. Names are restricted to `[A-Za-z0-9._@-]`, so they need no
 * escaping in DNs or filters.
 */
import { Client, InvalidCredentialsError } from 'ldapts';
import type { ServerConfig } from '../config';
import type { Role } from './roles';
import { NAME_RE } from './accounts';

export type LdapConfig = ServerConfig['ldap'];

export type LdapResult =
  | { ok: true; user: string; role: Role; dn: string }
  | { ok: false; reason: 'bad-credentials' | 'no-role' | 'unavailable'; message: string };

const norm = (dn: string) => dn.replace(/\s*,\s*/g, ',').toLowerCase();
const esc = (v: string) =>
  v.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

function values(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)));
}

export async function ldapSignIn(cfg: LdapConfig, username: string, password: string): Promise<LdapResult> {
  if (!cfg.url || !cfg.userDn) return { ok: false, reason: 'unavailable', message: 'no LDAP is configured' };
  if (!NAME_RE.test(username) || password === '')
    return { ok: false, reason: 'bad-credentials', message: 'wrong user name or password' };
  const bindName = cfg.userDn.split('{username}').join(username);
  const client = new Client({ url: cfg.url, timeout: cfg.timeoutMs, connectTimeout: cfg.timeoutMs });
  try {
    try {
      await client.bind(bindName, password);
    } catch (e) {
      if (e instanceof InvalidCredentialsError)
        return { ok: false, reason: 'bad-credentials', message: 'wrong user name or password' };
      throw e;
    }
    // The user's entry: the bind DN itself, or (AD: user@domain) looked up under userBase.
    let dn = bindName.includes('=') ? bindName : '';
    const groups = new Set<string>();
    const entryAttrs = ['memberOf'];
    if (dn) {
      const own = await client.search(dn, { scope: 'base', attributes: entryAttrs }).catch(() => null);
      for (const e of own?.searchEntries ?? []) for (const g of values(e.memberOf)) groups.add(norm(g));
    } else if (cfg.userBase) {
      const found = await client.search(cfg.userBase, {
        scope: 'sub',
        filter: `(|(userPrincipalName=${esc(bindName)})(sAMAccountName=${esc(username)})(uid=${esc(username)}))`,
        attributes: entryAttrs,
        sizeLimit: 2,
      });
      const e = found.searchEntries[0];
      if (e) {
        dn = e.dn;
        for (const g of values(e.memberOf)) groups.add(norm(g));
      }
    }
    if (cfg.groupBase) {
      const clauses = [`(memberUid=${esc(username)})`];
      if (dn) clauses.push(`(member=${esc(dn)})`, `(uniqueMember=${esc(dn)})`);
      const found = await client.search(cfg.groupBase, {
        scope: 'sub',
        filter: `(|${clauses.join('')})`,
        attributes: ['cn'],
      });
      for (const e of found.searchEntries) groups.add(norm(e.dn));
    }
    const has = (g: string | undefined) => g !== undefined && groups.has(norm(g));
    const role: Role | null = has(cfg.adminGroup)
      ? 'administrator'
      : has(cfg.agentGroup)
        ? 'agent'
        : has(cfg.viewerGroup) || !cfg.viewerGroup
          ? 'viewer'
          : null;
    if (!role)
      return {
        ok: false,
        reason: 'no-role',
        message: 'the directory account is in none of the groups that may use the service',
      };
    return { ok: true, user: username, role, dn: dn || bindName };
  } catch (e) {
    return {
      ok: false,
      reason: 'unavailable',
      message: `the directory cannot be reached: ${(e as Error).message}`,
    };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
