/**
 * The reports page's content wrapper. The application shell (navigation, user, language) is added
 * around every screen by `mount()` (static/shared/shell.tsx), so this only sets the page's classes.
 */
import React from 'react';

export function ReportsFrame(props: { children: React.ReactNode }): JSX.Element {
  return <div className="rg-page rg-reports">{props.children}</div>;
}
