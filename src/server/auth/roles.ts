/** Roles of the service's people, lowest first: each one can do what the ones before it can. */
export const ROLES = ['viewer', 'agent', 'administrator'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** Whether `have` includes the rights of `need`. */
export function atLeast(have: Role | null, need: Role): boolean {
  return have !== null && ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** Who made a request: a signed-in person, the automation token, or nobody. */
export interface Principal {
  /** null: anonymous. */
  role: Role | null;
  /** Account name (local or directory), `token` for the admin token, null when anonymous. */
  user: string | null;
  via: 'session' | 'token' | 'anonymous';
}

export const ANONYMOUS: Principal = { role: null, user: null, via: 'anonymous' };
