// Bearer-token authentication of /api/v1. Tokens, not cookies: the cross-site check of
// server/http.ts skips /api/, and nothing here reads a session.
import type { AuditActor } from "~/domain/audit.server";
import { apiKeyActor, authenticateApiKey, type AuthenticatedKey } from "~/domain/api-keys.server";
import type { Database } from "~db/index.ts";
import { db as appDb } from "~/db.server";
import { ApiProblem } from "./problem.server";
import type { ApiRequest } from "./exchange.server";
import { clock } from "~/lib/clock.server";

export interface PartnerApiAuth {
  partner: { id: string; slug: string; name: string; status: string };
  key: { id: string; name: string };
  actor: AuditActor;
}

/** A request made with a platform token: no partner; the token acts in the audit log. */
export interface PlatformApiAuth {
  key: { id: string; name: string };
  actor: AuditActor;
}

function unauthenticated(detail: string, error: "invalid_request" | "invalid_token") {
  return new ApiProblem("unauthenticated", detail, undefined, {
    "WWW-Authenticate": `Bearer realm="7stamp", error="${error}"`,
  });
}

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(request: Pick<ApiRequest, "header">): string | null {
  const header = request.header("authorization");
  if (!header) return null;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * The key a request's bearer token stands for. No header, a malformed one, or an unknown or
 * revoked token → 401 `unauthenticated`; `howToSend` says which token the endpoint wants.
 */
async function authenticateBearer(
  request: ApiRequest,
  howToSend: string,
  db: Database,
): Promise<AuthenticatedKey> {
  const header = request.header("authorization");
  if (!header) throw unauthenticated(howToSend, "invalid_request");
  const token = bearerToken(request);
  if (!token) {
    throw unauthenticated(
      "The Authorization header must be Bearer followed by your API key.",
      "invalid_request",
    );
  }
  const key = await authenticateApiKey(db, token, clock());
  if (!key) throw unauthenticated("The API key is not valid or has been revoked.", "invalid_token");
  return key;
}

/**
 * The partner a `sk_partner_…` key belongs to. No or an unknown, malformed or revoked
 * token → 401 `unauthenticated`; a platform token → 403 `forbidden` (it is valid, but
 * partner endpoints answer only partner keys).
 */
export async function requirePartnerKey(
  request: ApiRequest,
  db: Database = appDb,
): Promise<PartnerApiAuth> {
  const key = await authenticateBearer(
    request,
    "Send your API key as Authorization: Bearer sk_partner_… (create one on the API keys page).",
    db,
  );
  if (key.scope !== "partner" || !key.partner) {
    throw new ApiProblem("forbidden", "This endpoint needs a partner key (sk_partner_…).");
  }
  // Suspension stops everything a partner's own system does; nothing about the key changes,
  // so reactivation makes it work again.
  if (key.partner.status !== "active") {
    throw new ApiProblem(
      "partner_key_suspended",
      "This partner is suspended: its API keys are refused until 7stamp support reactivates it.",
    );
  }
  return {
    partner: key.partner,
    key: { id: key.keyId, name: key.name },
    actor: apiKeyActor(key),
  };
}

/**
 * A `sk_platform_…` token (the 7stamp core platform's). No or an unknown, malformed or
 * revoked token → 401 `unauthenticated`; a partner key → 403 `forbidden`.
 */
export async function requirePlatformToken(
  request: ApiRequest,
  db: Database = appDb,
): Promise<PlatformApiAuth> {
  const key = await authenticateBearer(
    request,
    "Send your platform token as Authorization: Bearer sk_platform_… (7stamp support issues them).",
    db,
  );
  if (key.scope !== "platform") {
    throw new ApiProblem("forbidden", "This endpoint needs a platform token (sk_platform_…).");
  }
  return { key: { id: key.keyId, name: key.name }, actor: apiKeyActor(key) };
}
