/**
 * Issue panel: the SLA clocks of one issue. The key comes from the Forge context inside Jira and
 * from `?key=` in the self-hosted service.
 */
import React from 'react';
import '../shared/styles.css';
import { dateTimeIn } from '../shared/format';
import { Header, LoadError, Loading, mount, useLoad, useUi } from '../shared/ui';
import { VerdictView } from '../shared/verdict';

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
          <VerdictView verdict={data.verdict} calendarZone={data.calendarZone} />
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
