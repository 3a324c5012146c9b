/**
 * The reports page's wrapper until the application shell (static/shared/shell.tsx, helper "app") is
 * merged: the coordinator replaces it by `<AppShell active="reports">`.
 */
import React from 'react';

export function ReportsFrame(props: { children: React.ReactNode }): JSX.Element {
  return <div className="rg-page rg-reports">{props.children}</div>;
}
