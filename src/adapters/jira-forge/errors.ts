/** Failures of Jira calls, as the Forge shell needs to tell them apart. */

/**
 * A call that may succeed later (429 rate limit, 5xx, network): raised after the bounded in-call
 * retries. The queue consumer turns it into a Forge `InvocationError` retry — never a silent drop.
 */
export class RetryableError extends Error {
  constructor(
    message: string,
    /** Seconds to wait before the next attempt (from Retry-After when Jira gave one). */
    readonly retryAfterSeconds: number,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'RetryableError';
  }
}

/** A call Jira refused for good (4xx other than 429): retrying would not help. */
export class JiraError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
    this.name = 'JiraError';
  }
}
