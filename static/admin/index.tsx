/**
 * Admin page: the policy as editable tables with a live preview, the working calendar as a year
 * grid, the mappings, the webhook secret and "recompute all". Problems are found as you type (the
 * domain validator runs in the page) and confirmed by the backend's `validatePolicy`; Save stays
 * disabled while there is any.
 */
import React, { useEffect, useMemo, useRef, useState } from 'react';
import '../shared/styles.css';
import './admin.css';
import type { ApiRequest, SettingsView } from '../../src/contract/api';
import { validateCalendarConfig } from '../../src/domain/calendar/config';
import type { CalendarConfig } from '../../src/domain/calendar/types';
import type { Problem } from '../../src/domain/policy-validate';
import { splitList } from '../shared/format';
import { Header, LoadError, Loading, mount, useLoad, useUi } from '../shared/ui';
import { CalendarTab } from './CalendarTab';
import { CustomersTab } from './CustomersTab';
import { EscalationTab } from './EscalationTab';
import { fromConfig, toConfig, validateEscalationDraft, type EscalationDraft } from './escalation-model';
import { DraftCtx, type DraftEditor } from './fields';
import { MappingTab, type MappingDraft } from './MappingTab';
import { NotificationsTab } from './NotificationsTab';
import {
  firstInputOf,
  mergeProblems,
  parseNumberInput,
  policyPath,
  problemText,
  setAt,
  validateDraft,
  type Draft,
} from './model';
import { PolicyTab } from './PolicyTab';
import { Preview } from './Preview';
import { ServiceTab } from './ServiceTab';
import { SourcesTab } from './SourcesTab';
import { SaveEffect, useLeaveWarning, useRecomputeJob } from './SaveEffect';

type SaveRequest = ApiRequest<'saveSettings'>;

const TABS = [
  'policy',
  'calendar',
  'mapping',
  'escalation',
  'notifications',
  'customers',
  'sources',
  'service',
] as const;
type Tab = (typeof TABS)[number];

function mappingOf(s: SettingsView): MappingDraft {
  return {
    incidentTypes: s.issueTypes.incident.join(', '),
    errorTypes: s.issueTypes.error.join(', '),
    priorityMap: structuredClone(s.priorityMap),
    setDueDate: s.setDueDate,
    projects: s.projects.join(', '),
    staffGroups: (s.supportStaff?.groups ?? []).join(', '),
    staffRoles: (s.supportStaff?.projectRoles ?? []).join(', '),
    staffAgents: s.supportStaff?.serviceDeskAgents ?? true,
    automationUsers: (s.supportStaff?.automationUsers ?? []).join(', '),
  };
}

function Tabs({ tab, setTab }: { tab: Tab; setTab: (t: Tab) => void }) {
  const { t } = useUi();
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: React.KeyboardEvent, i: number) => {
    const n =
      e.key === 'ArrowRight'
        ? i + 1
        : e.key === 'ArrowLeft'
          ? i - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? TABS.length - 1
              : null;
    if (n === null) return;
    e.preventDefault();
    const j = (n + TABS.length) % TABS.length;
    setTab(TABS[j]!);
    refs.current[j]?.focus();
  };
  return (
    <div className="rg-tabs" role="tablist" aria-label={t('admin.title')}>
      {TABS.map((k, i) => (
        <button
          key={k}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          role="tab"
          id={`tab-${k}`}
          className="rg-tab"
          aria-selected={tab === k}
          aria-controls={`panel-${k}`}
          tabIndex={tab === k ? 0 : -1}
          onClick={() => setTab(k)}
          onKeyDown={(e) => onKey(e, i)}
        >
          {t(`admin.tab.${k}`)}
        </button>
      ))}
    </div>
  );
}

function Editor({ initial, onReload }: { initial: SettingsView; onReload: () => void }) {
  const { client, t } = useUi();
  const readOnly = !initial.canEdit;
  const [tab, setTab] = useState<Tab>('policy');
  const [draft, setDraft] = useState<Draft>(() => structuredClone(initial.policy) as unknown as Draft);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [calendar, setCalendar] = useState<CalendarConfig>(() => structuredClone(initial.calendar));
  const [mapping, setMapping] = useState<MappingDraft>(() => mappingOf(initial));
  const [escalation, setEscalationState] = useState<EscalationDraft>(() => fromConfig(initial.escalation));
  const [server, setServer] = useState<{ key: string; problems: Problem[] }>({ key: '', problems: [] });
  const [saveState, setSaveState] = useState<
    { state: 'idle' | 'saving' | 'saved' } | { state: 'failed'; message: string; problems: Problem[] }
  >({
    state: 'idle',
  });

  const draftKey = JSON.stringify(draft);
  const local = useMemo(() => validateDraft(draft), [draft]);
  const calendarProblems = useMemo(
    () =>
      validateCalendarConfig(calendar).map((p) => ({
        path: p.path ? `calendar.${p.path}` : 'calendar',
        message: p.message,
      })),
    [calendar],
  );

  // The backend's validatePolicy confirms the page's own check (same validator, authoritative copy).
  useEffect(() => {
    let live = true;
    const h = setTimeout(() => {
      client.call('validatePolicy', { policy: draft }).then(
        (r) => live && setServer({ key: draftKey, problems: r.ok ? [] : r.errors }),
        () => undefined,
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(h);
    };
  }, [draftKey]);

  const escalationProblems = useMemo(() => validateEscalationDraft(escalation), [escalation]);

  const problems = mergeProblems(
    local.ok ? [] : local.problems,
    server.key === draftKey ? server.problems : [],
    calendarProblems,
    escalationProblems,
    saveState.state === 'failed' ? saveState.problems.map(policyPath) : [],
  );

  const baseline = useRef(
    JSON.stringify([initial.policy, initial.calendar, mappingOf(initial), fromConfig(initial.escalation)]),
  );
  const dirty = JSON.stringify([draft, calendar, mapping, escalation]) !== baseline.current;
  const setEscalation = (update: (d: EscalationDraft) => EscalationDraft) => {
    setEscalationState(update);
    setSaveState({ state: 'idle' });
  };

  const editor: DraftEditor = {
    draft,
    texts,
    problems,
    readOnly,
    setNumber: (path, text, scale = 1) => {
      setTexts((x) => ({ ...x, [path]: text }));
      setDraft((d) => ({ ...setAt(d, path, parseNumberInput(text, scale)), preset: 'custom' }));
      setSaveState({ state: 'idle' });
    },
    setValue: (path, value) => {
      setTexts((x) =>
        Object.fromEntries(
          Object.entries(x).filter(([k]) => path !== '' && k !== path && !k.startsWith(`${path}.`)),
        ),
      );
      setDraft((d) => (path === '' ? (value as Draft) : { ...setAt(d, path, value), preset: 'custom' }));
      setSaveState({ state: 'idle' });
    },
  };

  const applying = useRecomputeJob();
  useLeaveWarning(dirty, t('admin.leaveWarning'));
  const save = async () => {
    if (!local.ok) return;
    setSaveState({ state: 'saving' });
    try {
      const r = await client.call('saveSettings', {
        policy: local.policy,
        calendar,
        issueTypes: { incident: splitList(mapping.incidentTypes), error: splitList(mapping.errorTypes) },
        priorityMap: mapping.priorityMap as SettingsView['priorityMap'],
        setDueDate: mapping.setDueDate,
        projects: splitList(mapping.projects),
        supportStaff: {
          groups: splitList(mapping.staffGroups),
          projectRoles: splitList(mapping.staffRoles),
          serviceDeskAgents: mapping.staffAgents,
          automationUsers: splitList(mapping.automationUsers),
        },
        // validated in the page with the backend's own validator; the backend checks it again
        escalation: toConfig(escalation) as SaveRequest['escalation'],
      });
      if (r.ok) {
        baseline.current = JSON.stringify([draft, calendar, mapping, escalation]);
        setSaveState({ state: 'saved' });
        if (r.recompute) applying.follow(r.recompute);
      } else setSaveState({ state: 'failed', message: '', problems: r.errors });
    } catch (e) {
      setSaveState({ state: 'failed', message: (e as Error).message, problems: [] });
    }
  };
  // Reloads the saved settings (the editor starts again from them).
  const discard = onReload;

  const goTo = (p: Problem) => {
    if (p.path.startsWith('calendar')) setTab('calendar');
    else if (p.path.startsWith('escalation')) setTab('escalation');
    else if (p.path.startsWith('versions')) setTab('mapping');
    else setTab('policy');
    setTimeout(() => {
      const paths = [...document.querySelectorAll<HTMLElement>('[data-path]')].map(
        (el) => el.dataset.path ?? '',
      );
      // the input the problem names, else the first input it belongs to (a cell's first half, a row)
      const target = paths.includes(p.path) ? p.path : firstInputOf(p, paths);
      if (target) document.querySelector<HTMLElement>(`[data-path="${CSS.escape(target)}"]`)?.focus();
    }, 0);
  };

  const showPreview = tab === 'policy' || tab === 'calendar';
  return (
    <DraftCtx.Provider value={editor}>
      <main>
        <Header title={t('admin.title')} />
        {readOnly && <p className="rg-banner rg-banner-info">{t('admin.readOnly')}</p>}
        <div className="rg-savebar">
          <button
            type="button"
            className="rg-button rg-button-primary"
            data-testid="save"
            disabled={readOnly || problems.length > 0 || !dirty || saveState.state === 'saving'}
            onClick={() => void save()}
          >
            {saveState.state === 'saving' ? t('common.saving') : t('common.save')}
          </button>
          <button type="button" className="rg-button" disabled={!dirty} onClick={discard}>
            {t('admin.discard')}
          </button>
          <span role="status" className="rg-save-status">
            {saveState.state === 'saved' && !dirty && t('common.saved')}
            {saveState.state === 'failed' &&
              saveState.message &&
              t('admin.saveFailed', { message: saveState.message })}
          </span>
          <SaveEffect job={applying.job} />
        </div>
        <p className="rg-muted rg-small" data-testid="ledger-note">
          {t('admin.ledgerNote')}
        </p>
        {problems.length > 0 && (
          <div className="rg-banner rg-banner-error" role="alert" data-testid="problems">
            <div>
              <strong>{t('admin.problems', { n: problems.length })}</strong>
              <ul>
                {problems.map((p, i) => (
                  <li key={i}>
                    <button type="button" className="rg-linkbutton" onClick={() => goTo(p)}>
                      {problemText(p, draft, t)}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          </div>
        )}
        <Tabs tab={tab} setTab={setTab} />
        <div className={showPreview ? 'rg-admin-cols' : ''}>
          <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="rg-admin-main">
            {tab === 'policy' && <PolicyTab />}
            {tab === 'calendar' && (
              <CalendarTab
                calendar={calendar}
                setCalendar={setCalendar}
                readOnly={readOnly}
                problems={problems}
              />
            )}
            {tab === 'mapping' && (
              <MappingTab
                mapping={mapping}
                setMapping={setMapping}
                siteProblems={initial.siteProblems ?? []}
                refusedFields={initial.refusedFields ?? []}
              />
            )}
            {tab === 'escalation' && (
              <EscalationTab
                draft={escalation}
                setDraft={setEscalation}
                problems={problems}
                readOnly={readOnly}
              />
            )}
            {tab === 'sources' && <SourcesTab />}
            {tab === 'service' && <ServiceTab secretSet={initial.webhookSecretSet} readOnly={readOnly} />}
            {/* Mounted throughout (hidden when another tab shows), so its own unsaved draft survives. */}
            <div hidden={tab !== 'notifications'}>
              <NotificationsTab initial={initial} readOnly={readOnly} />
            </div>
            <div hidden={tab !== 'customers'}>
              <CustomersTab initial={initial} readOnly={readOnly} />
            </div>
          </div>
          {showPreview && (
            <Preview
              policy={local.ok ? local.policy : null}
              calendar={calendarProblems.length === 0 ? calendar : null}
            />
          )}
        </div>
      </main>
    </DraftCtx.Provider>
  );
}

export function AdminApp() {
  const { client } = useUi();
  const { data, error, loading, reload } = useLoad(() => client.call('getSettings', {}), []);
  if (error !== undefined) return <LoadError error={error} onRetry={reload} />;
  if (loading || !data) return <Loading />;
  return <Editor initial={data} onReload={reload} />;
}

void mount(AdminApp);
