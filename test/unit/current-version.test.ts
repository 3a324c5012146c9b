/** §2.9.4: the current version and requests about other versions (src/domain/current-version.ts). */
import { checkRequestVersion, currentVersion, versionMessage } from '../../src/domain/current-version';
import { DEFAULT_POLICY } from '../../src/domain/policy';
import type { VersionInfo } from '../../src/domain/snapshot';

/** Listed out of date order on purpose: the order is the release dates'. */
const VERSIONS: VersionInfo[] = [
  { name: '6.0.1', releaseDate: '2026-03-02', released: true },
  { name: '5.0', releaseDate: '2025-06-02', released: true },
  { name: '5.0.3', releaseDate: '2025-09-15', released: true },
  { name: '6.0', releaseDate: '2026-02-02', released: true },
  { name: '6.1', releaseDate: '2026-06-01', released: false },
];

describe('currentVersion', () => {
  it('is the latest release with the updates released after it (release-line)', () => {
    expect(currentVersion(VERSIONS, DEFAULT_POLICY)).toEqual({
      name: '6.0',
      releaseDate: '2026-02-02',
      line: ['6.0', '6.0.1'],
      mode: 'release-line',
    });
  });

  it('is the last released version only in the latest mode', () => {
    expect(currentVersion(VERSIONS, DEFAULT_POLICY, 'latest')).toEqual({
      name: '6.0.1',
      releaseDate: '2026-03-02',
      line: ['6.0.1'],
      mode: 'latest',
    });
  });

  it('places an undated released version after the dated one listed before it', () => {
    const versions = [
      { name: '6.0', releaseDate: '2026-02-02', released: true },
      { name: '6.0.2', released: true },
      { name: '5.0', releaseDate: '2025-06-02', released: true },
    ];
    expect(currentVersion(versions, DEFAULT_POLICY)?.line).toEqual(['6.0', '6.0.2']);
    expect(currentVersion(versions, DEFAULT_POLICY, 'latest')?.name).toBe('6.0.2');
  });

  it('falls back to the latest version when no released version is a release', () => {
    const calver = [
      { name: '2026.1', releaseDate: '2026-01-20', released: true },
      { name: '2026.2', releaseDate: '2026-02-20', released: true },
    ];
    expect(currentVersion(calver, DEFAULT_POLICY)).toMatchObject({
      name: '2026.2',
      line: ['2026.2'],
      mode: 'latest',
    });
  });

  it('is null when nothing is released', () => {
    expect(currentVersion([{ name: '6.1', released: false }], DEFAULT_POLICY)).toBeNull();
    expect(currentVersion(undefined, DEFAULT_POLICY)).toBeNull();
  });
});

describe('checkRequestVersion', () => {
  it.each([
    [['6.0'], 'current'],
    [['6.0.1'], 'current'],
    [['v6.0.1'], 'unknown'],
    [['5.0', '6.0.1'], 'current'],
    [['5.0.3'], 'not-current'],
    [['6.1'], 'not-current'],
    [['4.2'], 'unknown'],
    [[], 'not-stated'],
  ])('%j → %s', (affects, status) => {
    expect(checkRequestVersion(affects, VERSIONS, DEFAULT_POLICY).status).toBe(status);
  });

  it('compares names trimmed and case-insensitively', () => {
    const versions = [{ name: 'v6.0', releaseDate: '2026-02-02', released: true }];
    expect(checkRequestVersion([' V6.0 '], versions, DEFAULT_POLICY)).toMatchObject({
      status: 'current',
      version: 'V6.0',
    });
  });

  it('tells older from unreleased versions', () => {
    expect(checkRequestVersion(['5.0.3'], VERSIONS, DEFAULT_POLICY)).toMatchObject({
      status: 'not-current',
      reason: 'older',
      version: '5.0.3',
      current: { name: '6.0' },
    });
    expect(checkRequestVersion(['6.1'], VERSIONS, DEFAULT_POLICY)).toMatchObject({ reason: 'unreleased' });
    // 6.0 is older than 6.0.1 when only the latest version counts
    expect(checkRequestVersion(['6.0'], VERSIONS, DEFAULT_POLICY, 'latest')).toMatchObject({
      status: 'not-current',
      reason: 'older',
    });
  });

  it('flags nothing when the project has no released version', () => {
    expect(checkRequestVersion(['6.1'], [{ name: '6.1', released: false }], DEFAULT_POLICY)).toEqual({
      status: 'no-current',
      versions: ['6.1'],
    });
  });

  it('gives the agent a message in the project language', () => {
    const older = checkRequestVersion(['5.0.3'], VERSIONS, DEFAULT_POLICY);
    expect(versionMessage(older, 'ru')?.text).toBe(
      'Обращение относится к версии 5.0.3, а техническая поддержка оказывается только для текущей версии 6.0 (выпуск 2 февраля 2026) (п. 2.9.4 регламента). Поддержка других версий — по дополнительному письменному согласованию.',
    );
    expect(versionMessage(checkRequestVersion(['6.1'], VERSIONS, DEFAULT_POLICY), 'en')?.text).toBe(
      'The request is about version 6.1, which is not released yet; support covers the current version 6.0 (released 2 February 2026) only (§2.9.4 of the regulation).',
    );
    expect(versionMessage(checkRequestVersion(['6.0'], VERSIONS, DEFAULT_POLICY), 'en')).toBeNull();
  });
});
