/** The panel's context (issue #15): what the issue is — summary, type, registration time, reporter. */
import React from 'react';
import type { IssueDetails } from '../../src/contract/api';
import { dateTimeIn } from '../shared/format';
import { useUi } from '../shared/ui';

export function ContextView({ context, calendarZone }: { context: IssueDetails; calendarZone: string }) {
  const { t } = useUi();
  const kind = t.label('kind', context.kind);
  // The ticket system's type name when it says more than the kind ("Bug" for an error, not "Incident" twice).
  const own = [context.kind, kind.toLowerCase()].includes(context.issueType.trim().toLowerCase())
    ? ''
    : ` (${context.issueType})`;
  return (
    <section className="rg-card rg-context" aria-label={t('panel.context')} data-testid="context">
      {context.summary && (
        <p className="rg-context-summary" data-testid="context-summary">
          <strong>{context.summary}</strong>
        </p>
      )}
      <p className="rg-small rg-muted" data-testid="context-line">
        {kind}
        {own} · {t('panel.registeredAt', { at: dateTimeIn(context.registeredAt, calendarZone, t.locale) })}
        {context.reporter ? ` · ${t('panel.reporter', { name: context.reporter })}` : ''}
      </p>
    </section>
  );
}
