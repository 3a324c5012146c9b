/**
 * The demo ticket system as the service wires it: the demo port over the service's tickets, with the
 * demo project's versions relative to today and each created or linked issue evaluated at once.
 */
import type { AppDeps } from '../../app/deps';
import { onIssueChange } from '../../app/issue-change';
import type { ServiceStore, Storage } from '../storage';
import { DemoTicketPort } from './port';
import { demoVersions } from './seed';

export { DemoTicketPort } from './port';

export function demoTicketPort(o: {
  tickets: Storage['tickets'];
  docs: Pick<Storage, 'getDoc' | 'putDoc'>;
  store: ServiceStore;
  now: () => number;
}): DemoTicketPort & { bind(deps: AppDeps): void } {
  const port = new DemoTicketPort({
    tickets: o.tickets,
    docs: o.docs,
    now: o.now,
    versions: (_project, nowMs) => demoVersions(nowMs, o.store.getSettingsSync().calendar.zone),
  });
  return Object.assign(port, {
    /** Evaluates what the port creates with the use cases' dependencies (the service's local ones). */
    bind(deps: AppDeps): void {
      port.onChange = async (key) => {
        await onIssueChange(deps, key);
      };
    },
  });
}
