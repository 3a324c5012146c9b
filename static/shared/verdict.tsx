/**
 * A verdict shown to a person: priority with its breakdown, one card per clock (state, deadline in
 * the viewer's and the calendar's zone, working time left, rule), warnings. Used by the issue panel
 * and the admin page's preview.
 */
import React from 'react';
import type { Clock, FixClock, RecordedBreach, Verdict } from '../../src/domain/snapshot';
import { dateTimeIn } from './format';
import { Lozenge, stateAppearance, useUi } from './ui';
import { clockProgress, ruleText, stepText, warningText } from './verdict-model';

function ClockCard({
  which,
  clock,
  calendarZone,
  breach,
  agreed,
}: {
  which: 'reaction' | 'verification' | 'fix';
  clock: Clock | FixClock;
  calendarZone: string;
  /** The ledger's breach of this clock, with its waiver (src/domain/ledger.ts). */
  breach?: RecordedBreach | undefined;
  /** The fix clock's agreed date (source §5.6.3): whether it was kept, tracked apart. */
  agreed?: Verdict['agreed'];
}) {
  const { t, env } = useUi();
  const locale = t.locale;
  const progress = clockProgress(clock, locale);
  const titleId = `clock-${which}`;
  return (
    <section className="rg-card" aria-labelledby={titleId} data-clock={which}>
      <div className="rg-row" style={{ justifyContent: 'space-between', alignItems: 'center' }}>
        <h3 id={titleId} style={{ margin: 0 }}>
          {t(`panel.clock.${which}`)}
        </h3>
        <Lozenge appearance={stateAppearance(clock.state)}>
          <span data-testid={`state-${which}`}>
            {t(`state.${clock.state}`, { gender: t.gender(`panel.clock.${which}`) })}
          </span>
        </Lozenge>
      </div>
      <dl className="rg-dl">
        <dt>{t('panel.due')}</dt>
        <dd>
          {clock.due ? (
            <>
              <div data-testid={`due-${which}`}>
                {dateTimeIn(clock.due, calendarZone, locale)}{' '}
                <span className="rg-muted rg-small">{t('panel.due.calendar', { zone: calendarZone })}</span>
              </div>
              {env.viewerZone !== calendarZone && (
                <div data-testid={`due-viewer-${which}`}>
                  {dateTimeIn(clock.due, env.viewerZone, locale)}{' '}
                  <span className="rg-muted rg-small">{t('panel.due.viewer', { zone: env.viewerZone })}</span>
                </div>
              )}
            </>
          ) : (
            <span data-testid={`due-${which}`}>{t('panel.due.none')}</span>
          )}
        </dd>
        {progress?.kind === 'done' && (
          <>
            <dt>{t('panel.doneAt')}</dt>
            <dd>{dateTimeIn(progress.at, env.viewerZone, locale)}</dd>
            {progress.late && (
              <>
                <dt>{t('panel.closedLate')}</dt>
                <dd data-testid={`late-${which}`}>{progress.late}</dd>
              </>
            )}
          </>
        )}
        {progress && progress.kind !== 'done' && (
          <>
            <dt>{t(progress.kind === 'left' ? 'panel.left' : 'panel.overdue')}</dt>
            <dd data-testid={`left-${which}`}>{progress.hm}</dd>
          </>
        )}
        {agreed && 'standardDue' in clock && clock.standardDue && (
          <>
            <dt>{t('panel.standardDue')}</dt>
            <dd data-testid={`standard-due-${which}`}>
              {dateTimeIn(clock.standardDue, calendarZone, locale)}
            </dd>
            <dt>{t('panel.agreed')}</dt>
            <dd data-testid={`agreed-${which}`}>
              {t(
                agreed.kept === true
                  ? 'panel.agreed.kept'
                  : agreed.kept === false
                    ? 'panel.agreed.missed'
                    : 'panel.agreed.open',
              )}
            </dd>
          </>
        )}
        {breach && (
          <>
            <dt>{t('panel.breach')}</dt>
            <dd data-testid={`breach-${which}`}>
              {t(breach.at === breach.due ? 'panel.breach.atDue' : 'panel.breach.at', {
                at: dateTimeIn(breach.at, calendarZone, locale),
                due: dateTimeIn(breach.due, calendarZone, locale),
                value: breach.priority ?? '—',
                class: breach.class ? t.label('class', breach.class) : '—',
              })}
            </dd>
          </>
        )}
        {breach?.waived && (
          <>
            <dt>{t('panel.waived')}</dt>
            <dd data-testid={`waived-${which}`}>
              {t('panel.waived.by', {
                reason: breach.waived.reason,
                by: breach.waived.by,
                at: dateTimeIn(breach.waived.at, calendarZone, locale),
              })}
            </dd>
          </>
        )}
        <dt>{t('panel.rule')}</dt>
        <dd data-testid={`rule-${which}`}>{ruleText(which, clock, t)}</dd>
      </dl>
    </section>
  );
}

export function VerdictView({ verdict, calendarZone }: { verdict: Verdict; calendarZone: string }) {
  const { t } = useUi();
  const p = verdict.priority;
  const breachOf = (clock: RecordedBreach['clock']) => verdict.breaches?.find((b) => b.clock === clock);
  return (
    <div className="rg-verdict">
      {verdict.warnings.length > 0 && (
        <div className="rg-banner rg-banner-warning" role="status">
          <div>
            <strong>{t('panel.warnings')}</strong>
            <ul>
              {verdict.warnings.map((w, i) => (
                <li key={i} data-code={w.code}>
                  {warningText(w, verdict, t)}
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
      {p && (
        <section aria-labelledby="prio-title">
          <h2 id="prio-title">{t('panel.priority')}</h2>
          <p data-testid="priority">
            <strong>
              {t(p.kind === 'incident' ? 'panel.priority.incident' : 'panel.priority.error', {
                value: p.value,
                class: t.label('class', p.class),
              })}
            </strong>
            {p.overridden && (
              <span className="rg-muted"> · {t('panel.overridden', { computed: p.computed })}</span>
            )}
          </p>
          <h3>{t('panel.breakdown')}</h3>
          <ol className="rg-breakdown" data-testid="breakdown">
            {p.breakdown.map((s, i) => (
              <li key={i} data-code={s.code}>
                {stepText(s, t)}
              </li>
            ))}
          </ol>
        </section>
      )}
      <div className="rg-cards">
        {verdict.reaction && (
          <ClockCard
            which="reaction"
            clock={verdict.reaction}
            calendarZone={calendarZone}
            breach={breachOf('reaction')}
          />
        )}
        {verdict.verification && (
          <ClockCard
            which="verification"
            clock={verdict.verification}
            calendarZone={calendarZone}
            breach={breachOf('verification')}
          />
        )}
        {verdict.fix && (
          <ClockCard
            which="fix"
            clock={verdict.fix}
            calendarZone={calendarZone}
            breach={breachOf('fix')}
            agreed={verdict.agreed ?? null}
          />
        )}
      </div>
    </div>
  );
}
