// Errors a user can act on. Each has a stable code from the registry (error-codes.ts), whose
// status it answers unless it names its own; the API maps it to problem+json once.
import { errorCodes, type ErrorCode } from "./error-codes";

export class DomainError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    status?: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
    this.status = status ?? errorCodes[code].status;
  }
}

export class RateLimited extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super("rate_limited", `Too many attempts; try again in ${retryAfterSeconds} s.`, 429);
  }
}

export class EmailTaken extends DomainError {
  constructor() {
    super("email_taken", "An account with this email already exists.", 400, "email");
  }
}
