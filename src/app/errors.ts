/** Failures a use case reports to its shell, which maps them to HTTP statuses or resolver errors. */
/** `unavailable`: not answerable for a while (e.g. the dashboard's figures being rebuilt), try again. */
export type AppErrorCode = 'forbidden' | 'invalid-request' | 'not-found' | 'unauthorized' | 'unavailable';

/**
 * The message a screen shows in the viewer's language instead of the English `message`: a code the UI
 * looks up as `error.<messageCode>` (static/shared/i18n.ts) with its parameters.
 */
export interface AppErrorDetail {
  messageCode: string;
  params?: Record<string, string | number>;
}

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly detail?: AppErrorDetail,
  ) {
    super(message);
    this.name = 'AppError';
  }

  /** HTTP status for the shells. */
  get status(): number {
    return {
      forbidden: 403,
      'invalid-request': 400,
      'not-found': 404,
      unauthorized: 401,
      unavailable: 503,
    }[this.code];
  }
}
