// Errors a user can act on. Each has a stable code; pages map it to a message key once,
// the API to problem+json once.
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
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
