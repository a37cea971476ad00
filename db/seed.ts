// The demo (DESIGN.md §7): one account per role, so every page has something to show.
// Only ever runs on an empty database, and never in production (the callers check).
import type { Database } from "./index.ts";
import { hashPassword } from "../app/auth/password.server.ts";

export const DEMO_PASSWORD = "demo-pass-2026";

export const demoLogins = {
  password: DEMO_PASSWORD,
  accounts: ["support@demo.7stamp.test", "partner@demo.7stamp.test", "owner@demo.7stamp.test"],
};

const DAY = 24 * 60 * 60 * 1000;

export async function isDatabaseEmpty(db: Database): Promise<boolean> {
  const row = await db.selectFrom("users").select("id").limit(1).executeTakeFirst();
  return !row;
}

export async function seedDemo(db: Database, now = new Date()): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction().execute(async (trx) => {
    const users = await trx
      .insertInto("users")
      .values([
        {
          email: "support@demo.7stamp.test",
          name: "Sam Support",
          password_hash: passwordHash,
          is_support: true,
        },
        { email: "partner@demo.7stamp.test", name: "Pat Partner", password_hash: passwordHash },
        { email: "member@demo.7stamp.test", name: "Mia Member", password_hash: passwordHash },
        { email: "owner@demo.7stamp.test", name: "Olive Owner", password_hash: passwordHash },
      ])
      .returning(["id", "email"])
      .execute();
    const userId = (email: string) => users.find((u) => u.email === email)!.id;

    const partners = await trx
      .insertInto("partners")
      .values([
        {
          name: "Brewline Agency",
          slug: "brewline",
          type: "marketing_agency",
          discount_bps: 3000,
          tax_rate_bps: 0,
          statement_prefix: "BREW",
          special_terms: "Net 30 payment terms. Co-marketing budget reviewed each quarter.",
          contact_name: "Pat Partner",
          contact_email: "partner@demo.7stamp.test",
          created_at: new Date(now.getTime() - 120 * DAY),
        },
        {
          name: "Till & Tap POS",
          slug: "tilltap",
          type: "pos_vendor",
          discount_bps: 2500,
          tax_rate_bps: 2000,
          statement_prefix: "TILL",
          contact_name: "Pat Partner",
          contact_email: "partner@demo.7stamp.test",
          created_at: new Date(now.getTime() - 60 * DAY),
        },
      ])
      .returning(["id", "slug"])
      .execute();
    const partnerId = (slug: string) => partners.find((p) => p.slug === slug)!.id;

    await trx
      .insertInto("partner_members")
      .values([
        {
          partner_id: partnerId("brewline"),
          user_id: userId("partner@demo.7stamp.test"),
          role: "owner",
        },
        {
          partner_id: partnerId("brewline"),
          user_id: userId("member@demo.7stamp.test"),
          role: "member",
        },
        {
          partner_id: partnerId("tilltap"),
          user_id: userId("partner@demo.7stamp.test"),
          role: "member",
        },
      ])
      .execute();

    const opened = new Date(now.getTime() - 75 * DAY);
    const business = await trx
      .insertInto("businesses")
      .values({
        name: "Corner Coffee",
        plan_id: "free",
        billing_anchor_at: opened,
        plan_started_at: opened,
        created_at: opened,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("business_members")
      .values({
        business_id: business.id,
        user_id: userId("owner@demo.7stamp.test"),
        role: "owner",
      })
      .execute();

    await trx
      .insertInto("audit_log")
      .values({
        actor_label: "system",
        action: "demo.seeded",
        subject_type: "database",
        subject_id: "demo",
      })
      .execute();
  });
}

/** Seeds when the database has no users yet; tells whether it did. */
export async function seedDemoIfEmpty(db: Database): Promise<boolean> {
  if (!(await isDatabaseEmpty(db))) return false;
  await seedDemo(db);
  return true;
}
