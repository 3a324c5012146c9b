/**
 * Sign-in with directory accounts against a real OpenLDAP (slapd.ts): bind as the user, role from the
 * groups (administrator, agent, viewer), refused without a group, wrong passwords refused, and a
 * directory that cannot be reached answered with 503 (local accounts still work).
 */
import * as fs from 'node:fs';
import { BASE, slapdAvailable, startSlapd, type Slapd } from './slapd';
import { request, service, tempDir, type TestService } from './helpers';

const people = `ou=people,${BASE}`;
const groups = `ou=groups,${BASE}`;
const user = (uid: string, password: string) =>
  `dn: uid=${uid},${people}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${uid}\nsn: ${uid}\nuserPassword: ${password}\n\n`;
const group = (cn: string, members: string[]) =>
  `dn: cn=${cn},${groups}\nobjectClass: groupOfNames\ncn: ${cn}\n${members.map((m) => `member: uid=${m},${people}\n`).join('')}\n`;

const LDIF =
  `dn: ${people}\nobjectClass: organizationalUnit\nou: people\n\n` +
  `dn: ${groups}\nobjectClass: organizationalUnit\nou: groups\n\n` +
  user('alice', 'alice-secret-1') +
  user('bob', 'bob-secret-1') +
  user('carol', 'carol-secret-1') +
  user('dave', 'dave-secret-1') +
  group('sla-admins', ['alice']) +
  group('support-agents', ['bob']) +
  group('sla-readers', ['alice', 'bob', 'dave']);

const describeLdap = slapdAvailable() ? describe : describe.skip;

describeLdap('LDAP sign-in against a real slapd', () => {
  let slapd: Slapd;
  let dir: string;
  let svc: TestService;
  beforeAll(async () => {
    slapd = (await startSlapd(LDIF))!;
    dir = tempDir();
    svc = await service(dir, {
      ldap: {
        url: slapd.url,
        userDn: `uid={username},${people}`,
        groupBase: groups,
        adminGroup: `cn=sla-admins,${groups}`,
        agentGroup: `cn=support-agents,${groups}`,
        viewerGroup: `cn=sla-readers,${groups}`,
        timeoutMs: 3000,
      },
    });
  }, 30_000);
  afterAll(async () => {
    await svc?.close();
    await slapd?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const login = (username: string, password: string) =>
    request(svc.base, {
      method: 'POST',
      url: '/login',
      payload: JSON.stringify({ username, password }),
      headers: { 'content-type': 'application/json' },
    });

  it.each([
    ['alice', 'alice-secret-1', 'administrator'],
    ['bob', 'bob-secret-1', 'agent'],
    ['dave', 'dave-secret-1', 'viewer'],
  ])('%s signs in with the directory password and gets the role of their group', async (name, pw, role) => {
    const res = await login(name, pw);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ user: name, role });
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const session = await request(svc.base, { url: '/auth/session', headers: { cookie } });
    expect(session.json()).toMatchObject({ user: name, role, via: 'session' });
  });

  it('refuses a wrong password, an unknown user and a user in none of the groups', async () => {
    expect((await login('alice', 'wrong')).statusCode).toBe(401);
    expect((await login('nobody', 'whatever-1')).statusCode).toBe(401);
    const carol = await login('carol', 'carol-secret-1');
    expect(carol.statusCode).toBe(403);
    expect(carol.json().message).toBe(
      'the directory account is in none of the groups that may use the service',
    );
    // LDAP filter and DN characters never reach the directory.
    expect((await login('alice)(uid=*', 'alice-secret-1')).statusCode).toBe(401);
  });

  it('a directory that cannot be reached is 503; local accounts still sign in', async () => {
    const d = tempDir();
    const other = await service(d, {
      ldap: { url: 'ldap://127.0.0.1:9', userDn: `uid={username},${people}`, timeoutMs: 1000 },
    });
    try {
      const down = await request(other.base, {
        method: 'POST',
        url: '/login',
        payload: JSON.stringify({ username: 'alice', password: 'alice-secret-1' }),
        headers: { 'content-type': 'application/json' },
      });
      expect(down.statusCode).toBe(503);
      expect(down.json().message).toMatch(/^the directory cannot be reached: /);
      const local = await request(other.base, {
        method: 'POST',
        url: '/login',
        payload: JSON.stringify({ username: 'admin', password: other.initialAdmin!.password }),
        headers: { 'content-type': 'application/json' },
      });
      expect(local.statusCode).toBe(200);
    } finally {
      await other.close();
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
