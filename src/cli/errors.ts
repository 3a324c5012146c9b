/** A known failure of one CLI op: reported as {"error":{"code","message"}} on its line. */
export class OpError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'OpError';
  }
}
