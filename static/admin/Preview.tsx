/**
 * "What would this issue get?": a sample issue the administrator edits, evaluated by the backend's
 * `preview` with the edited (unsaved) policy and calendar.
 */
import React, { useEffect, useState } from 'react';
import { DateTime } from 'luxon';
import type { Verdict } from '../../src/domain/snapshot';
import type { CalendarConfig } from '../../src/domain/calendar/types';
import type { Policy } from '../../src/domain/policy';
import type { Snapshot } from '../../src/domain/snapshot';
import { IMPACTS, MODES, NATURES, URGENCIES, WORKAROUNDS, type Dimension } from '../../src/domain/codes';
import { useUi } from '../shared/ui';
import { VerdictView } from '../shared/verdict';

export interface Sample {
  kind: 'incident' | 'error';
  impact: string;
  urgency: string;
  mode: string;
  nature: string;
  workaround: string;
  /** 'YYYY-MM-DDTHH:mm' in the calendar's zone */
  registered: string;
  nextUpdate: string;
  nextRelease: string;
}

/** SPEC §8 example 1: registered Friday 2026-03-06 16:30 Moscow → due Tuesday 2026-03-10 16:30. */
export const DEFAULT_SAMPLE: Sample = {
  kind: 'incident',
  impact: 'high',
  urgency: 'high',
  mode: 'operation',
  nature: 'failure',
  workaround: 'none',
  registered: '2026-03-06T16:30',
  nextUpdate: '',
  nextRelease: '',
};

/** The contract snapshot of a sample, or null when the instant cannot be read in the zone. */
export function sampleSnapshot(s: Sample, zone: string): Snapshot | null {
  const dt = DateTime.fromISO(s.registered, { zone });
  if (!dt.isValid) return null;
  const registeredAt = dt.toISO({ suppressMilliseconds: true });
  if (!registeredAt) return null;
  const versions = [
    ...(s.nextUpdate ? [{ name: '9.1', releaseDate: s.nextUpdate, released: false }] : []),
    ...(s.nextRelease ? [{ name: '10.0', releaseDate: s.nextRelease, released: false }] : []),
  ];
  const base = {
    key: 'PREVIEW-1',
    registeredAt,
    impact: s.impact,
    urgency: s.urgency,
    mode: s.mode,
  } as Snapshot;
  return s.kind === 'incident'
    ? { ...base, kind: 'incident', nature: s.nature as Snapshot['nature'] }
    : { ...base, kind: 'error', workaround: s.workaround as Snapshot['workaround'], versions };
}

const DEBOUNCE_MS = 150;

export function Preview({ policy, calendar }: { policy: Policy | null; calendar: CalendarConfig | null }) {
  const { client, t } = useUi();
  const [sample, setSample] = useState<Sample>(DEFAULT_SAMPLE);
  const [result, setResult] = useState<{ verdict: Verdict; zone: string } | { error: string } | null>(null);
  const zone = calendar?.zone ?? 'Europe/Moscow';
  const snapshot = sampleSnapshot(sample, zone);
  const key = JSON.stringify([policy, calendar, snapshot]);

  useEffect(() => {
    if (!policy || !calendar || !snapshot) return;
    let live = true;
    const h = setTimeout(() => {
      client.call('preview', { policy, calendar, snapshot, now: snapshot.registeredAt }).then(
        (r) => {
          if (!live) return;
          if (r.ok) setResult({ verdict: r.verdict, zone: calendar.zone });
          else setResult({ error: r.errors.map((e) => `${e.path}: ${e.message}`).join('; ') });
        },
        (e: unknown) => live && setResult({ error: (e as Error).message }),
      );
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(h);
    };
    // key carries policy, calendar and snapshot
  }, [key]);

  const select = (field: keyof Sample, dim: Dimension, codes: readonly string[], label: string) => (
    <div className="rg-field">
      <label htmlFor={`pv-${field}`}>{label}</label>
      <select
        id={`pv-${field}`}
        className="rg-select"
        value={sample[field]}
        onChange={(e) => setSample({ ...sample, [field]: e.target.value })}
      >
        {codes.map((c) => (
          <option key={c} value={c}>
            {t.label(dim, c)}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <aside className="rg-preview rg-card" aria-labelledby="h-preview">
      <h2 id="h-preview">{t('admin.preview')}</h2>
      <p className="rg-muted rg-small">{t('admin.preview.help')}</p>
      <div className="rg-preview-form">
        {select('kind', 'kind', ['incident', 'error'], t('field.kind'))}
        {select('impact', 'impact', IMPACTS, t('field.impact'))}
        {select('urgency', 'urgency', URGENCIES, t('field.urgency'))}
        {select('mode', 'mode', MODES, t('field.mode'))}
        {sample.kind === 'incident'
          ? select('nature', 'nature', NATURES, t('field.nature'))
          : select('workaround', 'workaround', WORKAROUNDS, t('field.workaround'))}
        <div className="rg-field">
          <label htmlFor="pv-registered">{t('admin.preview.registeredAt', { zone })}</label>
          <input
            id="pv-registered"
            type="datetime-local"
            className="rg-input"
            value={sample.registered}
            onChange={(e) => setSample({ ...sample, registered: e.target.value })}
          />
        </div>
        {sample.kind === 'error' && (
          <>
            <div className="rg-field">
              <label htmlFor="pv-update">{t('admin.preview.nextUpdate')}</label>
              <input
                id="pv-update"
                type="date"
                className="rg-input"
                value={sample.nextUpdate}
                onChange={(e) => setSample({ ...sample, nextUpdate: e.target.value })}
              />
            </div>
            <div className="rg-field">
              <label htmlFor="pv-release">{t('admin.preview.nextRelease')}</label>
              <input
                id="pv-release"
                type="date"
                className="rg-input"
                value={sample.nextRelease}
                onChange={(e) => setSample({ ...sample, nextRelease: e.target.value })}
              />
            </div>
          </>
        )}
      </div>
      <h3>{t('admin.preview.result')}</h3>
      <div aria-live="polite" data-testid="preview-result">
        {!policy || !calendar ? (
          <p className="rg-muted">{t('admin.preview.blocked')}</p>
        ) : result && 'error' in result ? (
          <p className="rg-error-text">{t('admin.preview.failed', { message: result.error })}</p>
        ) : result ? (
          <VerdictView verdict={result.verdict} calendarZone={result.zone} />
        ) : null}
      </div>
    </aside>
  );
}
