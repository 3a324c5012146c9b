/**
 * The admin page's "Escalation" tab: settings.escalation as one table — a row per setting, a column
 * for every project (the first column) and one per project that differs, where each control either
 * takes the default or sets the project's own value. Keyboard: native controls in reading order.
 */
import React, { useEffect, useRef } from 'react';
import type { Problem } from '../../src/domain/policy-validate';
import { useUi } from '../shared/ui';
import {
  CHOICES,
  ESC_FIELDS,
  FIELD_KIND,
  projectKeyOf,
  valueLabel,
  type EscalationDraft,
  type EscField,
  type EscValue,
  type ProjectColumn,
} from './escalation-model';
import { problemText } from './model';

const INHERIT = '__default';

type Column = { kind: 'defaults' } | { kind: 'project'; project: ProjectColumn };

const pathOf = (col: Column, field: EscField): string =>
  col.kind === 'defaults'
    ? `escalation.defaults.${field}`
    : `escalation.projects.${projectKeyOf(col.project.key)}.${field}`;

function Cell({
  field,
  col,
  value,
  fallback,
  problems,
  readOnly,
  onChange,
}: {
  field: EscField;
  col: Column;
  /** undefined: the project takes the default. */
  value: EscValue | undefined;
  /** The default's value (shown in a project's "As default" option). */
  fallback: EscValue;
  problems: Problem[];
  readOnly: boolean;
  onChange: (v: EscValue | undefined) => void;
}) {
  const { t } = useUi();
  const path = pathOf(col, field);
  const colId = col.kind === 'defaults' ? 'd' : String(col.project.id);
  const id = `esc-${colId}-${field}`;
  const mine = problems.filter((p) => p.path === path);
  const columnName =
    col.kind === 'defaults'
      ? t('admin.esc.defaults')
      : t('admin.esc.project', { key: projectKeyOf(col.project.key) || t('admin.esc.newProject') });
  const label = `${t(`admin.esc.field.${field}`)} — ${columnName}`;
  const inherit = col.kind === 'project';
  const inheritLabel = t('admin.esc.inherit', { value: valueLabel(field, fallback, t) });
  const common = {
    id,
    'aria-label': label,
    'aria-invalid': mine.length > 0,
    'aria-describedby': mine.length > 0 ? `${id}-err` : undefined,
    'data-path': path,
    disabled: readOnly,
  };
  const err =
    mine.length > 0 ? (
      <span id={`${id}-err`} className="rg-error-text rg-esc-err">
        {mine.map((p) => problemText(p, {}, t)).join(' ')}
      </span>
    ) : null;
  const kind = FIELD_KIND[field];

  if (kind === 'bool' || kind === 'choice')
    return (
      <>
        <select
          {...common}
          className={`rg-select${value !== undefined && inherit ? ' rg-own' : ''}`}
          value={value === undefined ? INHERIT : (value ?? '')}
          onChange={(e) => onChange(e.target.value === INHERIT ? undefined : e.target.value)}
        >
          {inherit && <option value={INHERIT}>{inheritLabel}</option>}
          {(CHOICES[field] ?? []).map((c) => (
            <option key={c} value={c}>
              {valueLabel(field, c, t)}
            </option>
          ))}
        </select>
        {err}
      </>
    );

  if (kind === 'group') {
    const mode = value === undefined ? INHERIT : value === null ? 'none' : 'named';
    return (
      <div className="rg-esc-group">
        <select
          id={`${id}-mode`}
          className={`rg-select${value !== undefined && inherit ? ' rg-own' : ''}`}
          aria-label={label}
          disabled={readOnly}
          value={mode}
          onChange={(e) =>
            onChange(
              e.target.value === INHERIT ? undefined : e.target.value === 'none' ? null : (value ?? ''),
            )
          }
        >
          {inherit && <option value={INHERIT}>{inheritLabel}</option>}
          <option value="none">{t('admin.esc.group.none')}</option>
          <option value="named">{t('admin.esc.group.named')}</option>
        </select>
        {typeof value === 'string' && (
          <input
            {...common}
            aria-label={`${t('admin.esc.group.name')} — ${columnName}`}
            className="rg-input"
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
        )}
        {err}
      </div>
    );
  }

  // number and text: empty in a project column takes the default
  return (
    <>
      <input
        {...common}
        className={`rg-input ${kind === 'number' ? 'rg-input-num' : 'rg-input-text'}${value !== undefined && inherit ? ' rg-own' : ''}`}
        inputMode={kind === 'number' ? 'numeric' : undefined}
        value={value ?? ''}
        placeholder={inherit ? String(fallback ?? '') : undefined}
        title={inherit && value === undefined ? inheritLabel : undefined}
        onChange={(e) => onChange(inherit && e.target.value === '' ? undefined : e.target.value)}
      />
      {err}
    </>
  );
}

export function EscalationTab({
  draft,
  setDraft,
  problems,
  readOnly,
}: {
  draft: EscalationDraft;
  setDraft: (update: (d: EscalationDraft) => EscalationDraft) => void;
  problems: Problem[];
  readOnly: boolean;
}) {
  const { t } = useUi();
  const focusKey = useRef<number | null>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (focusKey.current !== null) {
      const el = document.getElementById(`esc-key-${focusKey.current}`) ?? addRef.current;
      el?.focus();
      focusKey.current = null;
    }
  });

  const setDefault = (field: EscField, v: EscValue | undefined) =>
    setDraft((d) => ({ ...d, defaults: { ...d.defaults, [field]: v === undefined ? '' : v } }));
  const setOwn = (id: number, field: EscField, v: EscValue | undefined) =>
    setDraft((d) => ({
      ...d,
      projects: d.projects.map((p) => {
        if (p.id !== id) return p;
        const values = { ...p.values };
        if (v === undefined) delete values[field];
        else values[field] = v;
        return { ...p, values };
      }),
    }));
  const setKey = (id: number, key: string) =>
    setDraft((d) => ({ ...d, projects: d.projects.map((p) => (p.id === id ? { ...p, key } : p)) }));
  const add = () => {
    const id = Math.max(0, ...draft.projects.map((p) => p.id)) + 1;
    focusKey.current = id;
    setDraft((d) => ({ ...d, projects: [...d.projects, { id, key: '', values: {} }] }));
  };
  const remove = (id: number) => {
    const i = draft.projects.findIndex((p) => p.id === id);
    const next = draft.projects[i + 1] ?? draft.projects[i - 1];
    focusKey.current = next ? next.id : -1;
    setDraft((d) => ({ ...d, projects: d.projects.filter((p) => p.id !== id) }));
  };

  return (
    <section aria-labelledby="h-esc">
      <h2 id="h-esc">{t('admin.esc.title')}</h2>
      <p className="rg-muted">{t('admin.esc.help')}</p>
      <div className="rg-esc-wrap">
        <table className="rg-table rg-esc" data-testid="escalation">
          <thead>
            <tr>
              <th scope="col">{t('admin.esc.setting')}</th>
              <th scope="col">{t('admin.esc.defaults')}</th>
              {draft.projects.map((p) => {
                const key = projectKeyOf(p.key);
                const path = `escalation.projects.${key}`;
                const mine = problems.filter((x) => x.path === path);
                return (
                  <th scope="col" key={p.id} data-project={key}>
                    <div className="rg-esc-key">
                      <input
                        id={`esc-key-${p.id}`}
                        className="rg-input rg-input-key"
                        aria-label={t('admin.esc.projectKey')}
                        placeholder={t('admin.esc.projectKey')}
                        value={p.key}
                        disabled={readOnly}
                        data-path={path}
                        aria-invalid={mine.length > 0}
                        aria-describedby={mine.length > 0 ? `esc-key-${p.id}-err` : undefined}
                        onChange={(e) => setKey(p.id, e.target.value)}
                      />
                      <button
                        type="button"
                        className="rg-button rg-button-subtle"
                        aria-label={t('admin.esc.removeProject', { key: key || t('admin.esc.newProject') })}
                        title={t('admin.esc.removeProject', { key: key || t('admin.esc.newProject') })}
                        disabled={readOnly}
                        onClick={() => remove(p.id)}
                      >
                        ×
                      </button>
                    </div>
                    {mine.length > 0 && (
                      <span id={`esc-key-${p.id}-err`} className="rg-error-text rg-esc-err">
                        {mine.map((x) => problemText(x, {}, t)).join(' ')}
                      </span>
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {ESC_FIELDS.map((f) => (
              <tr key={f} data-field={f}>
                <th scope="row">{t(`admin.esc.field.${f}`)}</th>
                <td>
                  <Cell
                    field={f}
                    col={{ kind: 'defaults' }}
                    value={draft.defaults[f]}
                    fallback={draft.defaults[f]}
                    problems={problems}
                    readOnly={readOnly}
                    onChange={(v) => setDefault(f, v)}
                  />
                </td>
                {draft.projects.map((p) => (
                  <td key={p.id}>
                    <Cell
                      field={f}
                      col={{ kind: 'project', project: p }}
                      value={p.values[f]}
                      fallback={draft.defaults[f]}
                      problems={problems}
                      readOnly={readOnly}
                      onChange={(v) => setOwn(p.id, f, v)}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <button ref={addRef} type="button" className="rg-button" disabled={readOnly} onClick={add}>
        {t('admin.esc.addProject')}
      </button>
    </section>
  );
}
