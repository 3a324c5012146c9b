/** The webhook secret (rotated here, shown once) and "recompute all" with its progress. */
import React, { useEffect, useRef, useState } from 'react';
import type { RecomputeStatus } from '../../src/contract/api';
import { useUi } from '../shared/ui';

const POLL_MS = 700;

export function ServiceTab({ secretSet, readOnly }: { secretSet: boolean; readOnly: boolean }) {
  const { client, t } = useUi();
  const [secret, setSecret] = useState<string | null>(null);
  const [isSet, setIsSet] = useState(secretSet);
  const [copied, setCopied] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [job, setJob] = useState<RecomputeStatus | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  const rotate = async () => {
    setFailure(null);
    try {
      const r = await client.call('rotateWebhookSecret', {});
      setSecret(r.secret);
      setIsSet(true);
      setCopied(false);
    } catch (e) {
      setFailure((e as Error).message);
    }
  };
  const copy = async () => {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      // clipboard not allowed: the text is selectable
    }
  };
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
  const recompute = async () => {
    setFailure(null);
    try {
      const s = await client.call('recomputeAll', {});
      setJob(s);
      if (s.state === 'running') poll(s.jobId);
    } catch (e) {
      setFailure((e as Error).message);
    }
  };

  return (
    <div>
      {failure && (
        <div role="alert" className="rg-banner rg-banner-error">
          {failure}
        </div>
      )}
      <section aria-labelledby="h-webhook">
        <h2 id="h-webhook">{t('admin.webhook')}</h2>
        <p data-testid="secret-state">{isSet ? t('admin.webhook.set') : t('admin.webhook.unset')}</p>
        {secret && (
          <div className="rg-banner rg-banner-info" role="status">
            <div>
              <p>{t('admin.webhook.once')}</p>
              <code className="rg-secret" data-testid="secret">
                {secret}
              </code>{' '}
              <button type="button" className="rg-button" onClick={() => void copy()}>
                {copied ? t('common.copied') : t('common.copy')}
              </button>
            </div>
          </div>
        )}
        <button type="button" className="rg-button" disabled={readOnly} onClick={() => void rotate()}>
          {t('admin.webhook.rotate')}
        </button>
      </section>
      <section className="rg-section" aria-labelledby="h-recompute">
        <h2 id="h-recompute">{t('admin.recompute')}</h2>
        <button
          type="button"
          className="rg-button"
          disabled={readOnly || job?.state === 'running'}
          onClick={() => void recompute()}
        >
          {t('admin.recompute.start')}
        </button>
        {job && (
          <div className="rg-recompute" role="status" data-testid="recompute" data-state={job.state}>
            {job.state === 'running' && (
              <>
                <progress
                  className="rg-progress"
                  max={job.total || undefined}
                  value={job.total ? job.done : undefined}
                  aria-label={t('admin.recompute')}
                />{' '}
                {t('admin.recompute.progress', { done: job.done, total: job.total })}
              </>
            )}
            {job.state === 'done' && t('admin.recompute.done', { done: job.done, total: job.total })}
            {job.state === 'done' && (job.failed ?? 0) > 0 && (
              <span className="rg-error-text" data-testid="recompute-failed">
                {' '}
                {t('admin.recompute.notEvaluated', { failed: job.failed ?? 0 })}
              </span>
            )}
            {job.state === 'failed' && t('admin.recompute.failed', { error: job.error ?? '' })}
          </div>
        )}
      </section>
    </div>
  );
}
