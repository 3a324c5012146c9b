/** Failures a use case reports to its shell, which maps them to HTTP statuses or resolver errors. */
export type AppErrorCode = 'forbidden' | 'invalid-request' | 'not-found' | 'unauthorized';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }

  /** HTTP status for the shells. */
  get status(): number {
    return { forbidden: 403, 'invalid-request': 400, 'not-found': 404, unauthorized: 401 }[this.code];
  }
}
