/**
 * Issue panel: the SLA clocks of one issue, its SLA labels, and the escalation checks — a request
 * about a version other than the current one (§2.9.4) and the notice of an on-site visit (§2.7). The
 * key comes from the Forge context inside Jira and from `?key=` in the self-hosted service.
 */
import React from 'react';
import '../shared/styles.css';
import './panel.css';
import { dateTimeIn } from '../shared/format';
import { Header, LoadError, Loading, mount, useLoad, useUi } from '../shared/ui';
import { VerdictView } from '../shared/verdict';
import { ContextView } from './context';
import { SlaLabels, VersionWarning, VisitSection } from './escalation';
import { HistoryView } from './history';

export function PanelApp() {
  const { env, client, t } = useUi();
  const key = (env.forge ? env.forgeContext?.extension?.issue?.key : env.params.get('key')) ?? null;
  const { data, error, loading, reload } = useLoad(
    () => (key ? client.call('getIssueSla', { key }) : Promise.resolve(null)),
    [key],
  );
  return (
    <main>
      <Header title={env.forge ? t('panel.title') : `${t('panel.title')}${key ? ` · ${key}` : ''}`} />
      {!key && (
        <p role="alert" className="rg-banner rg-banner-warning">
          {t('panel.noKey')}
        </p>
      )}
      {key && loading && !data && <Loading />}
      {key && error !== undefined && <LoadError error={error} onRetry={reload} />}
      {data && !data.verdict && <p className="rg-muted">{t('panel.noVerdict')}</p>}
      {data?.verdict && (
        <>
          {data.issue && <ContextView context={data.issue} calendarZone={data.calendarZone} />}
          <SlaLabels view={data} />
          <VersionWarning issueKey={data.key} />
          <VerdictView verdict={data.verdict} calendarZone={data.calendarZone} />
          <VisitSection view={data} />
          {data.history && <HistoryView facts={data.history} />}
          <p className="rg-muted rg-small">
            {t('panel.evaluatedAt', {
              at: dateTimeIn(data.verdict.evaluatedAt, env.viewerZone, t.locale),
            })}
          </p>
        </>
      )}
    </main>
  );
}

void mount(PanelApp);
