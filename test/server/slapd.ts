/**
 * A throw-away OpenLDAP server (Debian's `slapd`) for the LDAP sign-in test: a temporary slapd.conf
 * with an mdb database (dc=example,dc=org), loaded offline with slapadd, listening on 127.0.0.1 at a
 * free port, stopped and removed afterwards. Returns null when slapd is not installed (the test then
 * says it skipped), unless REQUIRE_REAL_LDAP=1 (CI), where that is an error.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/free-port';

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
export const BASE = 'dc=example,dc=org';

export function slapdAvailable(): boolean {
  const ok = fs.existsSync(SLAPD) && fs.existsSync(SLAPADD);
  if (!ok && process.env.REQUIRE_REAL_LDAP === '1')
    throw new Error('REQUIRE_REAL_LDAP=1 but slapd is not installed (apt-get install slapd ldap-utils)');
  return ok;
}

export interface Slapd {
  url: string;
  stop(): Promise<void>;
}

/** Starts slapd with `ldif` (entries below dc=example,dc=org; the base entry is added here). */
export async function startSlapd(ldif: string): Promise<Slapd | null> {
  if (!slapdAvailable()) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-slapd-'));
  const db = path.join(dir, 'db');
  fs.mkdirSync(db);
  const conf = path.join(dir, 'slapd.conf');
  fs.writeFileSync(
    conf,
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      'include /etc/ldap/schema/nis.schema',
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `pidfile ${path.join(dir, 'slapd.pid')}`,
      'database mdb',
      `suffix "${BASE}"`,
      `rootdn "cn=admin,${BASE}"`,
      'rootpw throwaway-root-password',
      `directory ${db}`,
      'maxsize 10485760',
      'access to attrs=userPassword by anonymous auth by * none',
      'access to * by users read by * none',
      '',
    ].join('\n'),
  );
  const data = `dn: ${BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n\n${ldif}`;
  fs.writeFileSync(path.join(dir, 'data.ldif'), data);
  execFileSync(SLAPADD, ['-f', conf, '-l', path.join(dir, 'data.ldif')], { stdio: 'pipe' });
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(SLAPD, ['-f', conf, '-h', `${url}/`, '-d', '0'], { stdio: 'ignore' });
  let up = false;
  for (let i = 0; i < 100 && !up; i++) {
    up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  if (!up) {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error('slapd did not start');
  }
  return {
    url,
    stop: async () => {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
