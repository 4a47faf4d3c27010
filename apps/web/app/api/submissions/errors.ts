/** A refused submission request: the HTTP status, a message naming the field, and the field itself. */
export class IntakeError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
