/** Issue-type, priority and version-kind mappings, the projects in scope, the due-date option. */
import React, { useState } from 'react';
import { CLASSES } from '../../src/domain/codes';
import { useT } from '../shared/ui';
import { SectionProblems, useDraft } from './fields';
import { getAt, versionKindOf } from './model';
import type { SettingsView } from '../../src/contract/api';

export interface MappingDraft {
  incidentTypes: string;
  errorTypes: string;
  priorityMap: { incident: Partial<Record<string, string>>; error: Partial<Record<string, string>> };
  setDueDate: boolean;
  projects: string;
  /** Support staff (SettingsView.supportStaff), lists comma-separated as typed. */
  staffGroups: string;
  staffRoles: string;
  staffAgents: boolean;
  automationUsers: string;
}

function TextField({
  id,
  label,
  value,
  onChange,
  readOnly,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  readOnly: boolean;
}) {
  return (
    <div className="rg-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="rg-input rg-input-wide"
        value={value}
        readOnly={readOnly}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

/** What the saved settings name that the Jira site lacks (SettingsView.siteProblems). */
export function SiteProblems({ problems }: { problems: NonNullable<SettingsView['siteProblems']> }) {
  const t = useT();
  if (problems.length === 0) return null;
  return (
    <div className="rg-error-list" role="alert" data-testid="site-problems">
      <p className="rg-error-text">{t('admin.mapping.siteProblems')}</p>
      <ul>
        {problems.map((p, i) => (
          <li key={i} className="rg-error-text">
            {t(`admin.mapping.site.${p.code}`, {
              value: p.value ?? '',
              known: (p.known ?? []).join(', '),
            })}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Fields Jira refused to set (not on the issue's edit screen): SettingsView.refusedFields. */
export function RefusedFields({ fields }: { fields: NonNullable<SettingsView['refusedFields']> }) {
  const t = useT();
  if (fields.length === 0) return null;
  return (
    <div className="rg-error-list" role="alert" data-testid="refused-fields">
      <p className="rg-error-text">{t('admin.mapping.refusedFields')}</p>
      <ul>
        {fields.map((f) => (
          <li key={f.field} className="rg-error-text">
            {t('admin.mapping.refusedField', { field: f.field, issue: f.issueKey, message: f.message })}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function MappingTab({
  mapping,
  setMapping,
  siteProblems = [],
  refusedFields = [],
}: {
  mapping: MappingDraft;
  setMapping: (m: MappingDraft) => void;
  siteProblems?: NonNullable<SettingsView['siteProblems']>;
  refusedFields?: NonNullable<SettingsView['refusedFields']>;
}) {
  const t = useT();
  const d = useDraft();
  const [tryName, setTryName] = useState('5.0');
  const pattern = getAt(d.draft, 'versions.releasePattern');
  const kind = versionKindOf(pattern, tryName);
  const setPrio = (group: 'incident' | 'error', key: string, value: string) =>
    setMapping({
      ...mapping,
      priorityMap: {
        ...mapping.priorityMap,
        [group]: { ...mapping.priorityMap[group], [key]: value || undefined },
      },
    });
  return (
    <div>
      <section aria-labelledby="h-types">
        <h2 id="h-types">{t('admin.mapping.issueTypes')}</h2>
        <SiteProblems problems={siteProblems} />
        <RefusedFields fields={refusedFields} />
        <TextField
          id="map-incident"
          label={t('admin.mapping.incidentTypes')}
          value={mapping.incidentTypes}
          readOnly={d.readOnly}
          onChange={(v) => setMapping({ ...mapping, incidentTypes: v })}
        />
        <TextField
          id="map-error"
          label={t('admin.mapping.errorTypes')}
          value={mapping.errorTypes}
          readOnly={d.readOnly}
          onChange={(v) => setMapping({ ...mapping, errorTypes: v })}
        />
        <TextField
          id="map-projects"
          label={t('admin.mapping.projects')}
          value={mapping.projects}
          readOnly={d.readOnly}
          onChange={(v) => setMapping({ ...mapping, projects: v })}
        />
      </section>
      <section className="rg-section" aria-labelledby="h-staff">
        <h2 id="h-staff">{t('admin.staff.title')}</h2>
        <p className="rg-muted">{t('admin.staff.hint')}</p>
        <TextField
          id="staff-groups"
          label={t('admin.staff.groups')}
          value={mapping.staffGroups}
          readOnly={d.readOnly}
          onChange={(v) => setMapping({ ...mapping, staffGroups: v })}
        />
        <TextField
          id="staff-roles"
          label={t('admin.staff.roles')}
          value={mapping.staffRoles}
          readOnly={d.readOnly}
          onChange={(v) => setMapping({ ...mapping, staffRoles: v })}
        />
        <label className="rg-check">
          <input
            type="checkbox"
            checked={mapping.staffAgents}
            disabled={d.readOnly}
            onChange={(e) => setMapping({ ...mapping, staffAgents: e.target.checked })}
          />
          {t('admin.staff.agents')}
        </label>
        <TextField
          id="staff-automation"
          label={t('admin.staff.automation')}
          value={mapping.automationUsers}
          readOnly={d.readOnly}
          onChange={(v) => setMapping({ ...mapping, automationUsers: v })}
        />
        <SectionProblems prefixes={['supportStaff']} />
      </section>
      <section className="rg-section" aria-labelledby="h-prio">
        <h2 id="h-prio">{t('admin.mapping.priorities')}</h2>
        <div className="rg-row">
          <table className="rg-table">
            <tbody>
              {[5, 4, 3, 2, 1].map((level) => {
                const cls = getAt(d.draft, `incident.classes.${level}`);
                const label = t('admin.mapping.incidentLevel', {
                  level,
                  class: typeof cls === 'string' ? t.label('class', cls) : '',
                });
                return (
                  <tr key={level}>
                    <th scope="row">
                      <label htmlFor={`prio-i-${level}`}>{label}</label>
                    </th>
                    <td>
                      <input
                        id={`prio-i-${level}`}
                        className="rg-input"
                        readOnly={d.readOnly}
                        value={mapping.priorityMap.incident[String(level)] ?? ''}
                        onChange={(e) => setPrio('incident', String(level), e.target.value)}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <table className="rg-table">
            <tbody>
              {CLASSES.map((c) => (
                <tr key={c}>
                  <th scope="row">
                    <label htmlFor={`prio-e-${c}`}>
                      {t('admin.mapping.errorClass', { class: t.label('class', c) })}
                    </label>
                  </th>
                  <td>
                    <input
                      id={`prio-e-${c}`}
                      className="rg-input"
                      readOnly={d.readOnly}
                      value={mapping.priorityMap.error[c] ?? ''}
                      onChange={(e) => setPrio('error', c, e.target.value)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <label className="rg-check">
          <input
            type="checkbox"
            checked={mapping.setDueDate}
            disabled={d.readOnly}
            onChange={(e) => setMapping({ ...mapping, setDueDate: e.target.checked })}
          />
          {t('admin.mapping.setDueDate')}
        </label>
      </section>
      <section className="rg-section" aria-labelledby="h-versions">
        <h2 id="h-versions">{t('admin.versions')}</h2>
        <div className="rg-field">
          <label htmlFor="f-versions_releasePattern">{t('admin.releasePattern')}</label>
          <input
            id="f-versions_releasePattern"
            className="rg-input rg-input-wide rg-mono"
            value={typeof pattern === 'string' ? pattern : ''}
            readOnly={d.readOnly}
            aria-invalid={kind === null}
            data-path="versions.releasePattern"
            onChange={(e) => d.setValue('versions.releasePattern', e.target.value)}
          />
        </div>
        <SectionProblems prefixes={['versions']} />
        <div className="rg-field">
          <label htmlFor="version-try">{t('admin.versionTry')}</label>
          <input
            id="version-try"
            className="rg-input"
            value={tryName}
            onChange={(e) => setTryName(e.target.value)}
          />
          <span role="status" data-testid="version-kind">
            {kind === null
              ? t('admin.versionKind.invalid')
              : t(kind === 'release' ? 'admin.versionKind.release' : 'admin.versionKind.update', {
                  name: tryName,
                })}
          </span>
        </div>
      </section>
    </div>
  );
}
