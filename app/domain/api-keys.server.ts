// API keys: partner keys (`sk_partner_…`) and platform tokens (`sk_platform_…`): issuing,
// listing, revoking and checking bearer tokens. Only a SHA-256 of a token is stored; the
// token itself exists once, in the creator's hands.
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import { z } from "zod";
import type { ExpressionBuilder } from "kysely";
import type { Database } from "~db/index.ts";
import { compiledOnce } from "~db/compiled-once.ts";
import type { DB } from "~db/schema.ts";
import { isPartnerSlug, isUuid } from "~/lib/ids";
import { recordAudit, type AuditActor } from "./audit.server";
import { DomainError } from "./errors.server";
import { storable } from "~/lib/storable-text";

export const PARTNER_TOKEN_PREFIX = "sk_partner_";
export const PLATFORM_TOKEN_PREFIX = "sk_platform_";
const TOKEN_PREFIXES = { partner: PARTNER_TOKEN_PREFIX, platform: PLATFORM_TOKEN_PREFIX } as const;
/** 32 random bytes: 256 bits, written as 52 base32 symbols. */
const TOKEN_RANDOM_BYTES = 32;
/** How many random symbols the stored display prefix keeps (about 30 bits: harmless). */
const DISPLAY_SYMBOLS = 6;
/** last_used_at is a hint for people, not a log: write it at most once a minute per key. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Any token we ever issue: a scope prefix and base32 symbols. Anything else is not looked up. */
const TOKEN_SHAPE = /^sk_(partner|platform)_[a-z2-7]{20,128}$/;

export const ApiKeyNameSchema = z.string().trim().min(1).max(80);

export type ApiKeyScope = "partner" | "platform";

export interface ApiKeySummary {
  id: string;
  name: string;
  /** What the portal shows to tell keys apart, e.g. "sk_partner_abcdef…". */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface AuthenticatedKey {
  keyId: string;
  scope: ApiKeyScope;
  partnerId: string | null;
  name: string;
  /** The key's partner (null for platform tokens). */
  partner: { id: string; slug: string; name: string; status: string } | null;
}

export class ApiKeyNotFound extends DomainError {
  constructor() {
    super("not_found", "No such API key.", "key");
  }
}

export class InvalidApiKeyName extends DomainError {
  constructor() {
    super("invalid_request", "name must be 1 to 80 characters.", "name");
  }
}

export function hashApiToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

function newToken(scope: ApiKeyScope): { token: string; prefix: string } {
  const random = new Uint8Array(TOKEN_RANDOM_BYTES);
  crypto.getRandomValues(random);
  const symbols = encodeBase32LowerCaseNoPadding(random);
  const scopePrefix = TOKEN_PREFIXES[scope];
  return {
    token: scopePrefix + symbols,
    prefix: `${scopePrefix}${symbols.slice(0, DISPLAY_SYMBOLS)}…`,
  };
}

/** The actor a request authenticated by this key acts as, in the audit log. */
export function apiKeyActor(key: { name: string }): AuditActor {
  return { userId: null, label: `API key "${key.name}"` };
}

const summaryColumns = [
  "id",
  "name",
  "token_prefix",
  "created_at",
  "last_used_at",
  "revoked_at",
] as const;

function toSummary(row: {
  id: string;
  name: string;
  token_prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}): ApiKeySummary {
  return {
    id: row.id,
    name: row.name,
    prefix: row.token_prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** Issues a partner key. The returned token is the only copy there will ever be. */
export async function createApiKey(
  db: Database,
  {
    partnerId,
    name,
    actor,
    ip = null,
  }: { partnerId: string; name: string; actor: AuditActor; ip?: string | null },
): Promise<{ key: ApiKeySummary; token: string }> {
  return issueKey(db, { scope: "partner", partnerId, name, actor, ip });
}

/**
 * Issues a platform token (the 7stamp core platform's, issued by support): no partner, the
 * platform endpoints only. The returned token is the only copy there will ever be.
 */
export async function createPlatformToken(
  db: Database,
  { name, actor, ip = null }: { name: string; actor: AuditActor; ip?: string | null },
): Promise<{ key: ApiKeySummary; token: string }> {
  return issueKey(db, { scope: "platform", partnerId: null, name, actor, ip });
}

async function issueKey(
  db: Database,
  {
    scope,
    partnerId,
    name,
    actor,
    ip,
  }: {
    scope: ApiKeyScope;
    partnerId: string | null;
    name: string;
    actor: AuditActor;
    ip: string | null;
  },
): Promise<{ key: ApiKeySummary; token: string }> {
  const parsedName = ApiKeyNameSchema.safeParse(name);
  if (!parsedName.success || !storable(parsedName.data)) throw new InvalidApiKeyName();
  const { token, prefix } = newToken(scope);
  const key = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("api_keys")
      .values({
        partner_id: partnerId,
        scope,
        name: parsedName.data,
        token_hash: hashApiToken(token),
        token_prefix: prefix,
        created_by: actor.userId,
      })
      .returning(summaryColumns)
      .executeTakeFirstOrThrow();
    // One action for both scopes; the prefix (sk_partner_… / sk_platform_…) tells them apart.
    await recordAudit(trx, {
      actor,
      action: "api_key.created",
      partnerId,
      subject: { type: "api_key", id: row.id },
      after: { name: row.name, prefix: row.token_prefix },
      ip,
    });
    return toSummary(row);
  });
  return { key, token };
}

/** The partner's keys, newest first, revoked ones included (they show as revoked). */
export async function listApiKeys(
  db: Database,
  { partnerId }: { partnerId: string },
): Promise<ApiKeySummary[]> {
  const rows = await db
    .selectFrom("api_keys")
    .select(summaryColumns)
    .where("partner_id", "=", partnerId)
    .where("scope", "=", "partner")
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(500)
    .execute();
  return rows.map(toSummary);
}

/**
 * Revokes one of the partner's keys. Revoking an already revoked key changes nothing and
 * answers the key as it is; another partner's key, or no key, is ApiKeyNotFound.
 */
export async function revokeApiKey(
  db: Database,
  {
    partnerId,
    keyId,
    actor,
    ip = null,
    now,
  }: { partnerId: string; keyId: string; actor: AuditActor; ip?: string | null; now: Date },
): Promise<ApiKeySummary> {
  return revokeKey(db, { whose: { partnerId }, keyId, actor, ip, now });
}

/** Platform tokens (support's page), newest first, revoked ones included. */
export async function listPlatformTokens(db: Database): Promise<ApiKeySummary[]> {
  const rows = await db
    .selectFrom("api_keys")
    .select(summaryColumns)
    .where("scope", "=", "platform")
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(500)
    .execute();
  return rows.map(toSummary);
}

/**
 * Revokes a platform token (support). Revoking a revoked one changes nothing; a partner key
 * or no key is ApiKeyNotFound — support revokes partner keys by suspending the partner.
 */
export async function revokePlatformToken(
  db: Database,
  {
    keyId,
    actor,
    ip = null,
    now,
  }: { keyId: string; actor: AuditActor; ip?: string | null; now: Date },
): Promise<ApiKeySummary> {
  return revokeKey(db, { whose: "platform", keyId, actor, ip, now });
}

/**
 * Revokes a partner's key or a platform token, whichever `whose` names (another's is
 * ApiKeyNotFound). Revoking a revoked one changes nothing and answers it as it is.
 */
async function revokeKey(
  db: Database,
  {
    whose,
    keyId,
    actor,
    ip,
    now,
  }: {
    whose: { partnerId: string } | "platform";
    keyId: string;
    actor: AuditActor;
    ip: string | null;
    now: Date;
  },
): Promise<ApiKeySummary> {
  if (!isUuid(keyId)) throw new ApiKeyNotFound();
  const owned = (eb: ExpressionBuilder<DB, "api_keys">) =>
    whose === "platform" ? eb("scope", "=", "platform") : eb("partner_id", "=", whose.partnerId);
  return db.transaction().execute(async (trx) => {
    const revoked = await trx
      .updateTable("api_keys")
      .set({ revoked_at: now })
      .where("id", "=", keyId)
      .where(owned)
      .where("revoked_at", "is", null)
      .returning(summaryColumns)
      .executeTakeFirst();
    if (revoked) {
      await recordAudit(trx, {
        actor,
        action: "api_key.revoked",
        ...(whose === "platform" ? {} : { partnerId: whose.partnerId }),
        subject: { type: "api_key", id: revoked.id },
        before: { name: revoked.name, prefix: revoked.token_prefix },
        ip,
      });
      return toSummary(revoked);
    }
    const existing = await trx
      .selectFrom("api_keys")
      .select(summaryColumns)
      .where("id", "=", keyId)
      .where(owned)
      .executeTakeFirst();
    if (!existing) throw new ApiKeyNotFound();
    return toSummary(existing);
  });
}

/** The key check's one statement, compiled once (ADR 043): it runs on every API request. */
const keyCheck = compiledOnce(
  (db, { tokenHash, now, stale }: { tokenHash: string; now: Date; stale: Date }) =>
    db
      .with("touched", (qb) =>
        qb
          .updateTable("api_keys")
          .set({ last_used_at: now })
          .where("id", "in", (eb) =>
            eb
              .selectFrom("api_keys")
              .select("id")
              .where("token_hash", "=", tokenHash)
              .where("revoked_at", "is", null)
              .where((eb) =>
                eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<=", stale)]),
              )
              .forNoKeyUpdate()
              .skipLocked(),
          )
          .returning("id"),
      )
      .selectFrom("api_keys")
      .leftJoin("partners", "partners.id", "api_keys.partner_id")
      .select([
        "api_keys.id",
        "api_keys.scope",
        "api_keys.name",
        "api_keys.partner_id",
        "api_keys.revoked_at",
        "partners.slug as partner_slug",
        "partners.name as partner_name",
        "partners.status as partner_status",
      ])
      .where("api_keys.token_hash", "=", tokenHash),
);

/**
 * The key a bearer token stands for, or null (unknown, malformed or revoked). The token is
 * hashed first and looked up by its hash through the unique index, so the comparison never
 * runs over the secret itself and its timing tells nothing about it.
 */
export async function authenticateApiKey(
  db: Database,
  token: string,
  now: Date,
): Promise<AuthenticatedKey | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const tokenHash = hashApiToken(token);
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  // One statement: the lookup, and last_used_at written at most once a minute per key. The
  // touch skips a row another request holds (`skip locked`), so concurrent requests of one
  // key never wait on each other for it; it commits or rolls back with the caller's
  // transaction (an /api/v1 write runs the check and the write in one, ADR 029).
  const [row] = await keyCheck(db, { tokenHash, now, stale });
  if (!row || row.revoked_at) return null;
  const partner =
    row.partner_id && row.partner_slug && row.partner_name && row.partner_status
      ? {
          id: row.partner_id,
          slug: row.partner_slug,
          name: row.partner_name,
          status: row.partner_status,
        }
      : null;
  return {
    keyId: row.id,
    scope: row.scope,
    partnerId: row.partner_id,
    name: row.name,
    partner,
  };
}

/** A partner id by slug, for the admin CLI. */
export async function findPartnerBySlug(
  db: Database,
  slug: string,
): Promise<{ id: string; slug: string; name: string } | null> {
  if (!isPartnerSlug(slug)) return null;
  const row = await db
    .selectFrom("partners")
    .select(["id", "slug", "name"])
    .where("slug", "=", slug)
    .executeTakeFirst();
  return row ?? null;
}
