/** The policy as editable tables: every number of SPEC §2–§5. */
import React, { useState } from 'react';
import { CLASSES, IMPACTS, MODES, URGENCIES } from '../../src/domain/codes';
import { clonePolicy, PRESETS, type PresetName } from '../../src/domain/policy';
import { useT } from '../shared/ui';
import { NumField, SectionProblems, useDraft } from './fields';
import { getAt } from './model';

const FIX_TYPES = [
  'working-days',
  'later-of-days-and-update',
  'earlier-of-update-and-months',
  'next-release',
  'none',
] as const;
type FixType = (typeof FIX_TYPES)[number];
const REACTION_EVENTS = ['status', 'comment', 'assignee'] as const;

/** The impact columns shared by the incident and error matrices. */
function ImpactHeader() {
  const t = useT();
  return (
    <thead>
      <tr>
        <td />
        {IMPACTS.map((i) => (
          <th key={i} scope="col">
            {t.label('impact', i)}
          </th>
        ))}
      </tr>
    </thead>
  );
}

function IncidentMatrix({ which }: { which: 'matrix' | 'modeMatrix' }) {
  const t = useT();
  const d = useDraft();
  const rows = which === 'matrix' ? URGENCIES : MODES;
  const dim = which === 'matrix' ? 'urgency' : 'mode';
  const used = (getAt(d.draft, 'incident.rows') === 'mode') === (which === 'modeMatrix');
  return (
    <table className={`rg-table rg-matrix ${used ? '' : 'rg-unused'}`} data-table={`incident.${which}`}>
      <caption className="rg-caption">
        {t(which === 'matrix' ? 'admin.matrix.urgency' : 'admin.matrix.mode')}
        {!used && <span className="rg-muted rg-small"> · {t('admin.matrix.unused')}</span>}
      </caption>
      <ImpactHeader />
      <tbody>
        {rows.map((r) => (
          <tr key={r}>
            <th scope="row">{t.label(dim, r)}</th>
            {IMPACTS.map((i) => (
              <td key={i}>
                <NumField
                  path={`incident.${which}.${r}.${i}`}
                  label={`${t.label(dim, r)} × ${t.label('impact', i)}`}
                />
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ErrorMatrix() {
  const t = useT();
  return (
    <table className="rg-table rg-matrix" data-table="error.matrix">
      <caption className="rg-caption">{t('admin.matrix.urgency')}</caption>
      <ImpactHeader />
      <tbody>
        {URGENCIES.map((u) => (
          <tr key={u}>
            <th scope="row">{t.label('urgency', u)}</th>
            {IMPACTS.map((i) => {
              const cell = `${t.label('urgency', u)} × ${t.label('impact', i)}`;
              return (
                <td key={i} className="rg-range">
                  <NumField path={`error.matrix.${u}.${i}.0`} label={`${cell}: ${t('admin.range.from')}`} />
                  <span aria-hidden="true">–</span>
                  <NumField path={`error.matrix.${u}.${i}.1`} label={`${cell}: ${t('admin.range.to')}`} />
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Radio<V extends string>({
  name,
  value,
  options,
  onChange,
  disabled,
}: {
  name: string;
  value: unknown;
  options: { value: V; label: string }[];
  onChange: (v: V) => void;
  disabled: boolean;
}) {
  return (
    <>
      {options.map((o) => (
        <label key={o.value} className="rg-check">
          <input
            type="radio"
            name={name}
            value={o.value}
            checked={value === o.value}
            disabled={disabled}
            onChange={() => onChange(o.value)}
          />
          {o.label}
        </label>
      ))}
    </>
  );
}

export function PolicyTab() {
  const t = useT();
  const d = useDraft();
  const [preset, setPreset] = useState<PresetName>('default');
  const rows = getAt(d.draft, 'incident.rows');
  const events = (getAt(d.draft, 'reaction.events') as unknown[] | undefined) ?? [];
  return (
    <div>
      <div className="rg-row rg-preset">
        <div className="rg-field">
          <label htmlFor="preset">{t('admin.preset')}</label>
          <select
            id="preset"
            className="rg-select"
            value={preset}
            disabled={d.readOnly}
            onChange={(e) => setPreset(e.target.value as PresetName)}
          >
            {(Object.keys(PRESETS) as PresetName[]).map((p) => (
              <option key={p} value={p}>
                {t(`admin.preset.${p}`)}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          className="rg-button"
          disabled={d.readOnly}
          onClick={() => d.setValue('', clonePolicy(PRESETS[preset]))}
        >
          {t('admin.preset.apply')}
        </button>
      </div>

      <section className="rg-section" aria-labelledby="h-incident">
        <h2 id="h-incident">{t('admin.incident')}</h2>
        <fieldset className="rg-fieldset">
          <legend>{t('admin.incident.rows')}</legend>
          <Radio
            name="rows"
            value={rows}
            disabled={d.readOnly}
            options={[
              { value: 'urgency', label: t('admin.incident.rows.urgency') },
              { value: 'mode', label: t('admin.incident.rows.mode') },
            ]}
            onChange={(v) => d.setValue('incident.rows', v)}
          />
        </fieldset>
        <div className="rg-row">
          <IncidentMatrix which="matrix" />
          <IncidentMatrix which="modeMatrix" />
        </div>
        <SectionProblems prefixes={['incident.matrix', 'incident.modeMatrix', 'incident.rows']} />
        <div className="rg-row">
          <table className="rg-table">
            <caption className="rg-caption">{t('admin.modifiers')}</caption>
            <tbody>
              {(['implementation', 'question'] as const).map((m) => (
                <tr key={m}>
                  <th scope="row">{t(`admin.modifier.${m}`)}</th>
                  <td>
                    <NumField path={`incident.modifiers.${m}`} label={t(`admin.modifier.${m}`)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="rg-table">
            <caption className="rg-caption">{t('admin.reactionHours')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.level')}</th>
                <th scope="col">{t('admin.hours')}</th>
              </tr>
            </thead>
            <tbody>
              {[5, 4, 3, 2, 1].map((level) => {
                const cls = getAt(d.draft, `incident.classes.${level}`);
                const name = `${level} · ${typeof cls === 'string' ? t.label('class', cls) : ''}`;
                return (
                  <tr key={level}>
                    <th scope="row">{name}</th>
                    <td>
                      <NumField
                        path={`incident.reactionHours.${level}`}
                        label={`${t('admin.reactionHours')}: ${name}`}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <SectionProblems prefixes={['incident.modifiers', 'incident.reactionHours', 'incident.classes']} />
        <fieldset className="rg-fieldset">
          <legend>{t('admin.reactionEvents')}</legend>
          {REACTION_EVENTS.map((ev) => (
            <label key={ev} className="rg-check">
              <input
                type="checkbox"
                checked={events.includes(ev)}
                disabled={d.readOnly}
                onChange={(e) =>
                  d.setValue(
                    'reaction.events',
                    e.target.checked
                      ? REACTION_EVENTS.filter((x) => x === ev || events.includes(x))
                      : events.filter((x) => x !== ev),
                  )
                }
              />
              {t(`admin.reactionEvent.${ev}`)}
            </label>
          ))}
        </fieldset>
        <SectionProblems prefixes={['reaction']} />
      </section>

      <section className="rg-section" aria-labelledby="h-error">
        <h2 id="h-error">{t('admin.error')}</h2>
        <ErrorMatrix />
        <SectionProblems prefixes={['error.matrix']} />
        <fieldset className="rg-fieldset">
          <legend>{t('admin.rangePoint')}</legend>
          <Radio
            name="rangePoint"
            value={getAt(d.draft, 'error.rangePoint')}
            disabled={d.readOnly}
            options={[
              { value: 'upper', label: t('admin.rangePoint.upper') },
              { value: 'lower', label: t('admin.rangePoint.lower') },
            ]}
            onChange={(v) => d.setValue('error.rangePoint', v)}
          />
        </fieldset>
        <div className="rg-row">
          <table className="rg-table">
            <caption className="rg-caption">{t('admin.errorModifiers')}</caption>
            <tbody>
              <tr>
                <th scope="row">{t('admin.modifier.implementation')}</th>
                <td>
                  <NumField
                    path="error.modifiers.implementation"
                    label={t('admin.modifier.implementation')}
                  />
                </td>
              </tr>
              {(['none', 'moderate', 'full'] as const).map((w) => (
                <tr key={w}>
                  <th scope="row">
                    {t('field.workaround')}: {t.label('workaround', w)}
                  </th>
                  <td>
                    <NumField
                      path={`error.modifiers.workaround.${w}`}
                      label={`${t('field.workaround')}: ${t.label('workaround', w)}`}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="rg-table">
            <caption className="rg-caption">{t('admin.bands')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('gadget.col.class')}</th>
                <th scope="col">{t('admin.band.min')}</th>
                <th scope="col">{t('admin.band.max')}</th>
              </tr>
            </thead>
            <tbody>
              {((getAt(d.draft, 'error.classes') as unknown[] | undefined) ?? []).map((b, idx) => {
                const cls = String((b as { class?: unknown }).class ?? '');
                const name = t.label('class', cls);
                return (
                  <tr key={idx}>
                    <th scope="row">{name}</th>
                    <td>
                      <NumField path={`error.classes.${idx}.min`} label={`${name}: ${t('admin.band.min')}`} />
                    </td>
                    <td>
                      <NumField path={`error.classes.${idx}.max`} label={`${name}: ${t('admin.band.max')}`} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <SectionProblems prefixes={['error.modifiers', 'error.classes', 'error.rangePoint']} />
        <label className="rg-check">
          <input
            type="checkbox"
            checked={getAt(d.draft, 'error.combineLinkedIncidents') === true}
            disabled={d.readOnly}
            onChange={(e) => d.setValue('error.combineLinkedIncidents', e.target.checked)}
          />
          {t('admin.combineLinked')}
        </label>
        <NumField path="error.verificationDays" label={t('admin.verificationDays')} hideLabel={false} />
        <table className="rg-table" data-table="error.fix">
          <caption className="rg-caption">{t('admin.fix')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('gadget.col.class')}</th>
              <th scope="col">{t('admin.fix.type')}</th>
              <th scope="col">{t('admin.fix.amount')}</th>
            </tr>
          </thead>
          <tbody>
            {CLASSES.map((c) => {
              const type = getAt(d.draft, `error.fix.${c}.type`) as FixType | undefined;
              const name = t.label('class', c);
              const amount =
                type === 'working-days' || type === 'later-of-days-and-update'
                  ? 'days'
                  : type === 'earlier-of-update-and-months'
                    ? 'months'
                    : null;
              return (
                <tr key={c}>
                  <th scope="row">{name}</th>
                  <td>
                    <select
                      className="rg-select"
                      aria-label={`${t('admin.fix.type')}: ${name}`}
                      value={type ?? ''}
                      disabled={d.readOnly}
                      onChange={(e) => {
                        const v = e.target.value as FixType;
                        const rule =
                          v === 'working-days' || v === 'later-of-days-and-update'
                            ? { type: v, days: 10 }
                            : v === 'earlier-of-update-and-months'
                              ? { type: v, months: 4 }
                              : { type: v };
                        d.setValue(`error.fix.${c}`, rule);
                      }}
                    >
                      {FIX_TYPES.map((f) => (
                        <option key={f} value={f}>
                          {t(`admin.fix.${f}`)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {amount && (
                      <span className="rg-amount">
                        <NumField
                          path={`error.fix.${c}.${amount}`}
                          label={`${name}: ${t(`admin.fix.${amount}`)}`}
                        />{' '}
                        <span className="rg-muted rg-small">{t(`admin.fix.${amount}`)}</span>
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <SectionProblems prefixes={['error.fix', 'error.verificationDays', 'error.combineLinkedIncidents']} />
      </section>

      <section className="rg-section" aria-labelledby="h-shares">
        <h2 id="h-shares">{t('admin.shares')}</h2>
        <div className="rg-row">
          <NumField path="atRiskShare" label={t('admin.atRisk')} scale={100} hideLabel={false} />
          <NumField path="complianceTarget" label={t('admin.target')} scale={100} hideLabel={false} />
        </div>
      </section>
    </div>
  );
}
