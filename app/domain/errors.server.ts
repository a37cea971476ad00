// Errors a user can act on. Each has a stable code from the registry (error-codes.ts), and
// answers that code's status: the registry is the only place a status is written, so one code
// never answers two statuses. The API maps it to problem+json once.
import { errorCodes, type ErrorCode } from "./error-codes";

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  get status(): number {
    return errorCodes[this.code].status;
  }
}

export class RateLimited extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super("rate_limited", `Too many attempts; try again in ${retryAfterSeconds} s.`);
  }
}

export class EmailTaken extends DomainError {
  constructor() {
    super("email_taken", "An account with this email already exists.", "email");
  }
}
