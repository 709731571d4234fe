/**
 * An expected refusal in the participant flow (wrong token, trial of another session, study
 * closed …): thrown inside a transaction so that it rolls back, turned into the JSON error answer
 * `{error, field?, detail}` by the route.
 */
export class FlowError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly field?: string,
  ) {
    super(detail);
    this.name = 'FlowError';
  }
}
