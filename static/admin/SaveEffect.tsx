/**
 * What saving does next (issue #15): the background re-evaluation a saved change started, with its
 * progress beside the Save button, and the warning before leaving the page with unsaved edits (the
 * browser's own on close or reload, a confirmation on a link within the application).
 */
import React, { useEffect, useRef, useState } from 'react';
import type { RecomputeStatus } from '../../src/contract/api';
import { useUi } from '../shared/ui';

const POLL_MS = 700;

/** The job a save started, polled until it ends; `follow` starts following one. */
export function useRecomputeJob(): { job: RecomputeStatus | null; follow: (s: RecomputeStatus) => void } {
  const { client } = useUi();
  const [job, setJob] = useState<RecomputeStatus | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const poll = (jobId: string) => {
    timer.current = setTimeout(() => {
      client.call('getRecomputeStatus', { jobId }).then(
        (s) => {
          setJob(s);
          if (s.state === 'running') poll(jobId);
        },
        (e: unknown) => setJob({ jobId, state: 'failed', done: 0, total: 0, error: (e as Error).message }),
      );
    }, POLL_MS);
  };
  const follow = (s: RecomputeStatus) => {
    clearTimeout(timer.current);
    setJob(s);
    if (s.state === 'running') poll(s.jobId);
  };
  return { job, follow };
}

/** "Recomputing the clocks with the new settings: 120 of 240" → "… applied to 240 issues". */
export function SaveEffect({ job }: { job: RecomputeStatus | null }) {
  const { t } = useUi();
  if (!job) return null;
  return (
    <span className="rg-small" role="status" data-testid="save-effect" data-state={job.state}>
      {job.state === 'running' && (
        <>
          <progress
            className="rg-progress"
            max={job.total || undefined}
            value={job.total ? job.done : undefined}
            aria-label={t('admin.applying')}
          />{' '}
          {t('admin.applying.progress', { done: job.done, total: job.total })}
        </>
      )}
      {job.state === 'done' && t('admin.applying.done', { n: job.total })}
      {job.state === 'failed' && t('admin.recompute.failed', { error: job.error ?? '' })}
    </span>
  );
}

/**
 * While `dirty`: the browser asks before closing or reloading the page, and a click on a link that
 * leaves it (the application's navigation) asks for confirmation with `message`.
 */
export function useLeaveWarning(dirty: boolean, message: string): void {
  useEffect(() => {
    if (!dirty) return;
    const onUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    const onClick = (e: MouseEvent) => {
      const a = (e.target as Element | null)?.closest?.('a[href]');
      if (!a || e.defaultPrevented) return;
      const href = a.getAttribute('href') ?? '';
      if (href.startsWith('#') || href.startsWith('?')) return;
      if (!window.confirm(message)) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    window.addEventListener('beforeunload', onUnload);
    document.addEventListener('click', onClick, true);
    return () => {
      window.removeEventListener('beforeunload', onUnload);
      document.removeEventListener('click', onClick, true);
    };
  }, [dirty, message]);
}
