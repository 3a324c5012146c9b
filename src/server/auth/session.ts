/**
 * Browser sessions: a signed, expiring cookie (`reglament_session`, HttpOnly, SameSite=Strict) holding
 * who signed in, with which role, and until when. The HMAC key is kept in the database (`auth-key`
 * document), so sessions survive restarts and work across instances. Each session has a CSRF token
 * (HMAC of the session), given to the page in the readable `reglament_csrf` cookie; every state-changing
 * request made with the session cookie must echo it in `X-CSRF-Token`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DocStorage } from './accounts';
import { isRole, type Role } from './roles';

export const SESSION_COOKIE = 'reglament_session';
export const CSRF_COOKIE = 'reglament_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export interface SessionData {
  user: string;
  role: Role;
  /** local | ldap */
  source: 'local' | 'ldap';
  /** Epoch ms. */
  issuedAt: number;
  expiresAt: number;
  nonce: string;
}

export async function sessionKey(docs: DocStorage, now: number): Promise<Buffer> {
  const existing = await docs.getDoc('auth-key');
  if (existing && /^[0-9a-f]{64}$/.test(existing)) return Buffer.from(existing, 'hex');
  const key = randomBytes(32).toString('hex');
  await docs.putDoc('auth-key', key, now);
  // Another instance may have written its key first: use whatever is stored.
  const stored = await docs.getDoc('auth-key');
  return Buffer.from(stored && /^[0-9a-f]{64}$/.test(stored) ? stored : key, 'hex');
}

function mac(key: Buffer, purpose: string, data: string): string {
  return createHmac('sha256', key).update(`${purpose}\n${data}`).digest('base64url');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function encodeSession(key: Buffer, s: SessionData): string {
  const body = Buffer.from(JSON.stringify(s)).toString('base64url');
  return `${body}.${mac(key, 'session', body)}`;
}

/** The session a cookie value carries, or null when forged, malformed or expired. */
export function decodeSession(key: Buffer, value: string | undefined, now: number): SessionData | null {
  if (!value) return null;
  const dot = value.indexOf('.');
  if (dot <= 0) return null;
  const body = value.slice(0, dot);
  if (!same(value.slice(dot + 1), mac(key, 'session', body))) return null;
  try {
    const s = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionData;
    if (typeof s.user !== 'string' || !isRole(s.role) || typeof s.expiresAt !== 'number') return null;
    return s.expiresAt > now ? s : null;
  } catch {
    return null;
  }
}

export function csrfToken(key: Buffer, s: SessionData): string {
  return mac(key, 'csrf', `${s.user}\n${s.issuedAt}\n${s.nonce}`);
}

export function checkCsrf(key: Buffer, s: SessionData, given: string | undefined): boolean {
  return typeof given === 'string' && same(given, csrfToken(key, s));
}

export function newNonce(): string {
  return randomBytes(12).toString('base64url');
}
