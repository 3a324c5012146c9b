/**
 * The issue's SLA ledger as a timeline (issue #11): who changed which input and when, each deadline
 * set or moved and why, stops, breaches with the priority in force, agreed deadlines and waivers.
 */
import React from 'react';
import type { Fact } from '../../src/domain/ledger';
import { dateTimeIn } from '../shared/format';
import { useUi } from '../shared/ui';

type T = ReturnType<typeof useUi>['t'];

const str = (v: unknown): string =>
  v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** Inputs whose codes have labels (src/domain/codes.ts) and a field name on the screens. */
const CODED = ['impact', 'urgency', 'mode', 'nature', 'workaround'] as const;

/** A changed input's name and values in the reader's language (codes as their labels). */
function change(d: Record<string, unknown>, t: T): { field: string; from: string; to: string } {
  const field = str(d.field);
  const coded = (CODED as readonly string[]).includes(field) ? (field as (typeof CODED)[number]) : null;
  const value = (v: unknown): string => (coded && typeof v === 'string' ? t.label(coded, v) : str(v));
  const name = coded
    ? t(`field.${coded}`)
    : field === 'priorityOverride' || field === 'agreedDeadline'
      ? t(`panel.history.field.${field}`)
      : field;
  return { field: name, from: value(d.from), to: value(d.to) };
}

const classLabel = (v: unknown, t: T): string => (typeof v === 'string' ? t.label('class', v) : str(v));

function detail(f: Fact, t: T, at: (iso: string) => string, kind: unknown): string {
  const d = f.data;
  switch (f.type) {
    case 'inputs-changed':
      return t('panel.history.changed', change(d, t));
    case 'priority':
      // An incident's priority is a level (1–5), an error's a score (§4.6, §5.5).
      return t(kind === 'error' ? 'panel.history.priority.error' : 'panel.history.priority', {
        value: str(d.value),
        class: classLabel(d.class, t),
      });
    case 'deadline':
      return t('panel.history.deadline', {
        due: typeof d.due === 'string' ? at(d.due) : t('panel.due.none'),
        reason: t(`panel.history.reason.${str(d.reason)}` as never),
      });
    case 'breached':
      return t('panel.history.breached', {
        due: at(str(d.due)),
        value: str(d.priority),
        class: classLabel(d.class, t),
      });
    case 'agreed':
      return t('panel.history.agreed', { due: at(str(d.due)) });
    case 'override':
      return t('panel.history.override', { value: str(d.value), reason: str(d.reason) });
    case 'waived':
      return t('panel.history.waived', { reason: str(d.reason) });
    default:
      return '';
  }
}

export function HistoryView({ facts }: { facts: Fact[] }) {
  const { env, t } = useUi();
  if (facts.length === 0) return null;
  const at = (iso: string) => dateTimeIn(iso, env.viewerZone, t.locale);
  const kind = facts.find((f) => f.type === 'registered')?.data.kind;
  return (
    <section className="rg-section" data-testid="history">
      <h2>{t('panel.history')}</h2>
      <ol className="rg-history">
        {facts.map((f) => (
          <li key={f.id} className={f.type === 'breached' ? 'rg-history-breach' : undefined}>
            <time dateTime={f.at}>{at(f.at)}</time>{' '}
            <strong>{t(`panel.history.type.${f.type}` as never)}</strong>
            {f.clock ? ` · ${t(`panel.clock.${f.clock}` as never)}` : ''}
            {detail(f, t, at, kind) ? ` — ${detail(f, t, at, kind)}` : ''}
            {f.by ? ` (${f.by})` : ''}
          </li>
        ))}
      </ol>
    </section>
  );
}
