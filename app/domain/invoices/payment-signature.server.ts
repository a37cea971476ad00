// The payment provider's signature on POST /api/v1/payments/webhook (DESIGN.md §6, ADR 038):
// `X-Payment-Signature: t={unix seconds},v1={hex HMAC-SHA256 of "t.body"}` under the
// configured secret, the same scheme as our own outgoing webhooks. An event signed more than
// five minutes from now is refused (a captured request cannot be replayed later), and the
// digests are compared in constant time.
import { timingSafeEqual } from "node:crypto";
import { DomainError } from "../errors.server";
import { signPayload } from "../webhooks/signing.server";

export const PAYMENT_SIGNATURE_HEADER = "X-Payment-Signature";

/** How far the signing time may be from ours, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export class PaymentSignatureInvalid extends DomainError {
  constructor(reason: string) {
    super("payment_signature_invalid", `${PAYMENT_SIGNATURE_HEADER}: ${reason}`, "signature");
  }
}

/** The header a provider (or payments:simulate) sends for `body` signed at `timestamp`. */
export function paymentSignatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signPayload(secret, timestamp, body)}`;
}

function parseHeader(header: string): { timestamp: number; signatures: string[] } | null {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [key, value, ...rest] = part.trim().split("=");
    if (rest.length || value === undefined) return null;
    if (key === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === null || signatures.length === 0 || signatures.length > 5) return null;
  return { timestamp, signatures };
}

/**
 * Throws PaymentSignatureInvalid unless `header` signs `body` with `secret` within the
 * tolerance of `now`. A null secret (none configured in production) refuses everything.
 */
export function verifyPaymentSignature({
  secret,
  header,
  body,
  now,
}: {
  secret: string | null;
  header: string | null;
  body: string;
  now: Date;
}): void {
  if (!secret) throw new PaymentSignatureInvalid("no payment webhook secret is configured.");
  if (!header) throw new PaymentSignatureInvalid("the header is missing.");
  const parsed = parseHeader(header.slice(0, 1000));
  if (!parsed) throw new PaymentSignatureInvalid("expected t=<unix seconds>,v1=<hex HMAC-SHA256>.");
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (Math.abs(nowSeconds - parsed.timestamp) > SIGNATURE_TOLERANCE_SECONDS)
    throw new PaymentSignatureInvalid("the timestamp is more than 5 minutes away from now.");
  const expected = Buffer.from(signPayload(secret, parsed.timestamp, body), "hex");
  const matches = parsed.signatures.some((signature) =>
    timingSafeEqual(Buffer.from(signature, "hex"), expected),
  );
  if (!matches) throw new PaymentSignatureInvalid("the signature does not match the body.");
}
