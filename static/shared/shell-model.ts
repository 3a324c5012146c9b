/** The sections of the service's application shell and the page each belongs to (no DOM). */
import type { MessageKey } from './i18n';

export type ShellSection = 'dashboard' | 'issues' | 'reports' | 'admin';

/** The service's sections and their addresses (the agreed URL map of issue #15). */
export const SECTIONS: readonly { id: ShellSection; href: string; label: MessageKey }[] = [
  { id: 'dashboard', href: '/ui/gadget/', label: 'shell.dashboard' },
  { id: 'issues', href: '/ui/issues/', label: 'shell.issues' },
  { id: 'reports', href: '/ui/reports/', label: 'shell.reports' },
  { id: 'admin', href: '/ui/admin/', label: 'shell.admin' },
];

/** The section a page of the service belongs to, from its path (/ui/<surface>/). */
export function sectionOf(pathname: string): ShellSection | null {
  const surface = /^\/ui\/([^/]+)/.exec(pathname)?.[1];
  switch (surface) {
    case 'gadget':
      return 'dashboard';
    case 'issues':
    case 'issue':
    case 'panel':
    case 'issue-actions':
      return 'issues';
    case 'reports':
      return 'reports';
    case 'admin':
      return 'admin';
    default:
      return null;
  }
}
