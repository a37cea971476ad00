// Signatures on outgoing webhooks (DESIGN.md §6, issue 16): `X-7stamp-Signature:
// t={unix seconds},v1={hex HMAC-SHA256 of "t.body"}`, with a second `v1` while a rolled
// secret's overlap lasts. Receivers verify with docs/webhooks/verify-signature.mjs.
import { createHmac, randomBytes } from "node:crypto";

export const SIGNATURE_HEADER = "X-7stamp-Signature";
export const EVENT_ID_HEADER = "X-7stamp-Event-Id";

/** A new signing secret: 32 random bytes, prefixed so it is recognisable in a config file. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

export function signPayload(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/** The header value for a body signed at `timestamp` with each of `secrets` (newest first). */
export function signatureHeader(secrets: string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${signPayload(s, timestamp, body)}`)].join(
    ",",
  );
}
