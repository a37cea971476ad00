// Test data for the foundation schema, written straight to the current test file's
// database (testDb()). Every call makes distinct emails and slugs, so tests can create as
// many rows as they like without colliding.
import { randomBytes } from "node:crypto";
import type { Selectable } from "kysely";
import { hashPassword } from "~/auth/password.server";
import type { Businesses, Partners, Users } from "~db/schema.ts";
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
