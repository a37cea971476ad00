// Test data for the foundation schema, written straight to the current test file's
// database (testDb()). Every call makes distinct emails and slugs, so tests can create as
// many rows as they like without colliding.
import { randomBytes } from "node:crypto";
import type { Selectable } from "kysely";
import { hashPassword } from "~/auth/password.server";
import { generateCode } from "~/lib/activation-code";
import { addMonthsClamped } from "~/lib/billing-periods";
import type {
  ActivationCodes,
  Bundles,
  Businesses,
  CodeBatches,
  Partners,
  Users,
} from "~db/schema.ts";
import { testDb } from "./db.ts";

export const DEFAULT_PASSWORD = "correct-horse-battery-staple";

let counter = 0;
/** A per-file counter plus a random tail: readable in failures, unique across files. */
function unique(): string {
  counter += 1;
  return `${counter}-${randomBytes(3).toString("hex")}`;
}

// argon2id is deliberately slow; most tests share one password, so hash each one once.
const hashes = new Map<string, Promise<string>>();
function hashOnce(password: string): Promise<string> {
  let hashed = hashes.get(password);
  if (!hashed) {
    hashed = hashPassword(password);
    hashes.set(password, hashed);
  }
  return hashed;
}

export type TestUser = Selectable<Users> & {
  /** The plain password, for signing in; null when created with `password: null`. */
  password: string | null;
};

export async function createUser(
  options: {
    email?: string;
    /** null creates an account without a password (invited, not yet set up). */
    password?: string | null;
    name?: string;
    isSupport?: boolean;
    locale?: string | null;
  } = {},
): Promise<TestUser> {
  const id = unique();
  const password = options.password === undefined ? DEFAULT_PASSWORD : options.password;
  const row = await testDb()
    .db.insertInto("users")
    .values({
      email: (options.email ?? `user-${id}@example.test`).toLowerCase(),
      name: options.name ?? `Test User ${id}`,
      password_hash: password === null ? null : await hashOnce(password),
      is_support: options.isSupport ?? false,
      locale: options.locale ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ...row, password };
}

export type PartnerType =
  "marketing_agency" | "loyalty_consultant" | "restaurant_consultant" | "pos_vendor" | "other";

export async function createPartner(
  options: {
    name?: string;
    slug?: string;
    type?: PartnerType;
    status?: "active" | "suspended";
    discountBps?: number;
    taxRateBps?: number;
    statementPrefix?: string;
    specialTerms?: string;
    contactName?: string;
    contactEmail?: string;
    /** Enrolment time: a partner's statements start with this month. */
    createdAt?: Date;
  } = {},
): Promise<Selectable<Partners>> {
  const id = unique();
  return testDb()
    .db.insertInto("partners")
    .values({
      name: options.name ?? `Test Partner ${id}`,
      slug: options.slug ?? `partner-${id}`,
      type: options.type ?? "marketing_agency",
      status: options.status ?? "active",
      discount_bps: options.discountBps ?? 3000,
      tax_rate_bps: options.taxRateBps ?? 0,
      statement_prefix: options.statementPrefix ?? `TP${counter}`.slice(0, 10),
      special_terms: options.specialTerms ?? "",
      contact_name: options.contactName ?? "",
      contact_email: options.contactEmail ?? "",
      created_at: options.createdAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function addPartnerMember(
  partnerId: string,
  userId: string,
  role: "owner" | "member" = "member",
): Promise<void> {
  await testDb()
    .db.insertInto("partner_members")
    .values({ partner_id: partnerId, user_id: userId, role })
    .execute();
}

export async function createBusiness(
  options: {
    name?: string;
    /** free | monthly | yearly | custom (the seeded plans). */
    planId?: string;
    locations?: number;
    billingAnchorAt?: Date;
    planStartedAt?: Date;
    customCardOperationsPerMonth?: number | null;
    customStaffSeats?: number | null;
  } = {},
): Promise<Selectable<Businesses>> {
  const id = unique();
  return testDb()
    .db.insertInto("businesses")
    .values({
      name: options.name ?? `Test Business ${id}`,
      plan_id: options.planId ?? "free",
      locations: options.locations ?? 1,
      billing_anchor_at: options.billingAnchorAt,
      plan_started_at: options.planStartedAt,
      custom_card_operations_per_month: options.customCardOperationsPerMonth ?? null,
      custom_staff_seats: options.customStaffSeats ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function addBusinessMember(
  businessId: string,
  userId: string,
  role: "owner" | "staff" = "staff",
): Promise<void> {
  await testDb()
    .db.insertInto("business_members")
    .values({ business_id: businessId, user_id: userId, role })
    .execute();
}

/** A partner with an owner who can sign in: the usual start of a partner-side test. */
export async function createPartnerWithOwner(options: Parameters<typeof createPartner>[0] = {}) {
  const partner = await createPartner(options);
  const owner = await createUser();
  await addPartnerMember(partner.id, owner.id, "owner");
  return { partner, owner };
}

export async function createBundle(
  partnerId: string,
  options: {
    name?: string;
    staffSeats?: number;
    cardOperations?: number;
    termMonths?: number;
    codeValidityDays?: number;
    resalePriceCents?: number | null;
    status?: "active" | "archived";
  } = {},
): Promise<Selectable<Bundles>> {
  return testDb()
    .db.insertInto("bundles")
    .values({
      partner_id: partnerId,
      name: options.name ?? `Test Bundle ${unique()}`,
      staff_seats: options.staffSeats ?? 2,
      card_operations: options.cardOperations ?? 1000,
      term_months: options.termMonths ?? 12,
      code_validity_days: options.codeValidityDays ?? 365,
      resale_price_cents: options.resalePriceCents ?? null,
      status: options.status ?? "active",
      archived_at: options.status === "archived" ? new Date() : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * A batch and its codes, written directly (not through the generator), `ready` unless told
 * otherwise. Codes are issued, unexpired and not handed out unless `codes` says more.
 */
export async function createBatchWithCodes(
  bundle: Selectable<Bundles>,
  options: {
    count?: number;
    prefix?: string | null;
    label?: string | null;
    recipient?: string | null;
    status?: "generating" | "ready" | "failed";
    expiresAt?: Date;
  } = {},
): Promise<{ batch: Selectable<CodeBatches>; codes: Selectable<ActivationCodes>[] }> {
  const count = options.count ?? 3;
  const status = options.status ?? "ready";
  const expiresAt = options.expiresAt ?? new Date(Date.now() + 365 * 86_400_000);
  const { db } = testDb();
  const batch = await db
    .insertInto("code_batches")
    .values({
      partner_id: bundle.partner_id,
      bundle_id: bundle.id,
      code_count: count,
      generated_count: status === "ready" ? count : 0,
      prefix: options.prefix ?? null,
      label: options.label ?? null,
      recipient: options.recipient ?? null,
      expires_at: expiresAt,
      status,
      completed_at: status === "generating" ? null : new Date(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const codes =
    status === "ready"
      ? await db
          .insertInto("activation_codes")
          .values(
            Array.from({ length: count }, () => ({
              code: generateCode(),
              partner_id: bundle.partner_id,
              bundle_id: bundle.id,
              batch_id: batch.id,
              expires_at: expiresAt,
            })),
          )
          .returningAll()
          .execute()
      : [];
  return { batch, codes: codes.sort((a, b) => a.id - b.id) };
}

/** A business with an owner who can sign in: the usual start of a business-side test. */
export async function createBusinessWithOwner(options: Parameters<typeof createBusiness>[0] = {}) {
  const business = await createBusiness(options);
  const owner = await createUser();
  await addBusinessMember(business.id, owner.id, "owner");
  return { business, owner };
}

/** Claims a code the way a business owner does (through the domain), for a new business. */
export async function claimByNewBusiness(code: { code: string }) {
  const { claimCode } = await import("~/domain/redemption.server");
  const { business, owner } = await createBusinessWithOwner();
  const claimed = await claimCode(testDb().db, {
    businessId: business.id,
    code: code.code,
    actor: { userId: owner.id, label: owner.email, email: owner.email },
    ip: null,
    now: new Date(),
  });
  return { business, owner, claimed };
}

/**
 * Moves a claim made through claimCode (dated by the database's clock) to `at`: the code's
 * claimed_at and its grant's start, end (same term) and creation, as if it had been made then.
 */
export async function backdateClaim(serial: number, at: Date): Promise<void> {
  const { db } = testDb();
  const { termMonths } = await db
    .selectFrom("activation_codes as ac")
    .innerJoin("bundles as b", "b.id", "ac.bundle_id")
    .select("b.term_months as termMonths")
    .where("ac.id", "=", serial)
    .executeTakeFirstOrThrow();
  await db
    .updateTable("activation_codes")
    .set({ claimed_at: at })
    .where("id", "=", serial)
    .execute();
  await db
    .updateTable("grants")
    .set({ starts_at: at, ends_at: addMonthsClamped(at, termMonths), created_at: at })
    .where("activation_code_id", "=", serial)
    .execute();
}
