/**
 * Local accounts: name, role and scrypt hash, kept as one document (`accounts`) in the service's
 * database (SQLite or PostgreSQL settings documents), so several instances share them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashPassword, randomPassword } from './passwords';
import { isRole, type Role } from './roles';

export interface Account {
  name: string;
  role: Role;
  hash: string;
  createdAt: string;
}

export interface DocStorage {
  getDoc(name: string): Promise<string | null> | string | null;
  putDoc(name: string, doc: string, nowMs: number): Promise<void> | void;
}

const DOC = 'accounts';
export const NAME_RE = /^[A-Za-z0-9._@-]{1,64}$/;

export class Accounts {
  private cache: { at: number; list: Promise<Account[]> } | null = null;
  constructor(
    private readonly docs: DocStorage,
    private readonly now: () => number,
  ) {}

  /**
   * The accounts as of at most `maxAgeMs` ago (real time; changes made through this instance are seen
   * at once): what each request's session is checked against.
   */
  async listCached(maxAgeMs = 5000): Promise<Account[]> {
    const t = Date.now();
    if (!this.cache || t - this.cache.at > maxAgeMs) this.cache = { at: t, list: this.list() };
    return this.cache.list;
  }

  async list(): Promise<Account[]> {
    const raw = await this.docs.getDoc(DOC);
    if (!raw) return [];
    try {
      const parsed = JSON.parse(raw) as { accounts?: unknown };
      return Array.isArray(parsed.accounts)
        ? (parsed.accounts as Account[]).filter(
            (a) => a && typeof a.name === 'string' && isRole(a.role) && typeof a.hash === 'string',
          )
        : [];
    } catch {
      return [];
    }
  }

  async get(name: string): Promise<Account | null> {
    return (await this.list()).find((a) => a.name.toLowerCase() === name.toLowerCase()) ?? null;
  }

  /** Creates or replaces an account (a new password and role). */
  async put(name: string, role: Role, password: string): Promise<Account> {
    if (!NAME_RE.test(name))
      throw new Error(`account name must be 1..64 letters, digits or . _ @ -, got '${name.slice(0, 80)}'`);
    if (password.length < 12) throw new Error('password must be at least 12 characters');
    const all = await this.list();
    const account: Account = {
      name,
      role,
      hash: await hashPassword(password),
      createdAt: new Date(this.now()).toISOString(),
    };
    const rest = all.filter((a) => a.name.toLowerCase() !== name.toLowerCase());
    await this.docs.putDoc(DOC, JSON.stringify({ accounts: [...rest, account] }), this.now());
    this.cache = null;
    return account;
  }

  async remove(name: string): Promise<boolean> {
    const all = await this.list();
    const rest = all.filter((a) => a.name.toLowerCase() !== name.toLowerCase());
    if (rest.length === all.length) return false;
    await this.docs.putDoc(DOC, JSON.stringify({ accounts: rest }), this.now());
    this.cache = null;
    return true;
  }

  /**
   * First start with no account: creates `admin` with a random password, writes it to
   * `<dataDir>/initial-admin-password` (mode 0600) and returns it, so the operator can sign in once and
   * change it. Nothing when an account exists.
   */
  async bootstrap(dataDir: string): Promise<{ name: string; password: string; file: string } | null> {
    if ((await this.list()).length > 0) return null;
    const password = randomPassword();
    await this.put('admin', 'administrator', password);
    const file = path.join(dataDir, 'initial-admin-password');
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
    return { name: 'admin', password, file };
  }
}
