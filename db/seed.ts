// The demo (DESIGN.md §7): one account per role, so every page has something to show.
// Only ever runs on an empty database, and never in production (the callers check).
import { sql } from "kysely";
import type { Database } from "./index.ts";
import { hashPassword } from "../app/auth/password.server.ts";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { createPlatformToken } from "../app/domain/api-keys.server.ts";
import { systemActor } from "../app/domain/audit.server.ts";
import { generateBatch } from "../app/domain/batches/generation.server.ts";
import { createBundle } from "../app/domain/bundles.server.ts";
import { rollBackClaim } from "../app/domain/claim-rollbacks.server.ts";
import { handOutCode, revokeCode } from "../app/domain/codes/commands.server.ts";
import { allowancePeriod, getBusinessPlan } from "../app/domain/entitlements/plan.server.ts";
import { claimCode, type ClaimedCode } from "../app/domain/redemption.server.ts";
import {
  finalizeMonthForAllPartners,
  lastEndedMonth,
} from "../app/domain/statements/finalise.server.ts";
import { recordCardOperations, type CardOperationInput } from "../app/domain/usage.server.ts";
import { renewSubscription } from "../app/domain/invoices/issue.server.ts";
import { receivePaymentEvent } from "../app/domain/invoices/payments.server.ts";
import { changeSubscription } from "../app/domain/subscriptions/subscriptions.server.ts";
import { addMonthsClamped } from "../app/lib/billing-periods.ts";
import { monthOf, monthsBetween, statementPeriod } from "../app/lib/statement-months.ts";

export const DEMO_PASSWORD = "demo-pass-2026";

export const demoLogins = {
  password: DEMO_PASSWORD,
  accounts: ["support@demo.7stamp.test", "partner@demo.7stamp.test", "owner@demo.7stamp.test"],
};

const DAY = 24 * 60 * 60 * 1000;
/** Brewline enrolled 120 days ago and made its bundles and codes two days later. */
const DEMO_CODES_AGE_DAYS = 118;

interface DemoCodes {
  starterCode: string;
  proCode: string;
  /** When Brewline's bundles and codes were made. */
  madeAt: Date;
  spareStarterCodes: string[];
  spareProCodes: string[];
}

export async function isDatabaseEmpty(db: Database): Promise<boolean> {
  const row = await db.selectFrom("users").select("id").limit(1).executeTakeFirst();
  return !row;
}

export async function seedDemo(db: Database, now = new Date()): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const brewline = await db.transaction().execute(async (trx) => {
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
        { email: "deli@demo.7stamp.test", name: "Dario Deli", password_hash: passwordHash },
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
      .returning(["id", "slug", "created_at"])
      .execute();
    const partnerId = (slug: string) => partners.find((p) => p.slug === slug)!.id;

    // Joined when the partner was enrolled, as the team page would show for a real one.
    const enrolledAt = (slug: string) => partners.find((p) => p.slug === slug)!.created_at;
    await trx
      .insertInto("partner_members")
      .values([
        {
          partner_id: partnerId("brewline"),
          user_id: userId("partner@demo.7stamp.test"),
          role: "owner",
          created_at: enrolledAt("brewline"),
        },
        {
          partner_id: partnerId("brewline"),
          user_id: userId("member@demo.7stamp.test"),
          role: "member",
          created_at: enrolledAt("brewline"),
        },
        {
          partner_id: partnerId("tilltap"),
          user_id: userId("partner@demo.7stamp.test"),
          role: "member",
          created_at: enrolledAt("tilltap"),
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

    const deli = await trx
      .insertInto("businesses")
      .values({
        name: "Harbour Deli",
        // Monthly from the day it opened, through the subscription path (seedDemoInvoices).
        plan_id: "free",
        billing_anchor_at: opened,
        plan_started_at: opened,
        created_at: opened,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("business_members")
      .values({ business_id: deli.id, user_id: userId("deli@demo.7stamp.test"), role: "owner" })
      .execute();

    await trx
      .insertInto("audit_log")
      .values({
        actor_label: systemActor.label,
        action: "demo.seeded",
      })
      .execute();
    return {
      partnerId: partnerId("brewline"),
      ownerId: userId("partner@demo.7stamp.test"),
      supportId: userId("support@demo.7stamp.test"),
      corner: { businessId: business.id, ownerId: userId("owner@demo.7stamp.test") },
      deli: { businessId: deli.id, ownerId: userId("deli@demo.7stamp.test") },
      deliOpenedAt: opened,
    };
  });
  await seedDemoInvoices(db, { ...brewline.deli, openedAt: brewline.deliOpenedAt }, now);
  const codes = await seedDemoCodes(db, brewline, now);
  await seedDemoClaimsAndUsage(db, { ...brewline, ...codes }, now);
  await seedDemoHistory(db, { ...brewline, ...codes, passwordHash }, now);
  await finalizeDemoStatements(db, now);
}

/**
 * Harbour Deli's invoices, made by the real paths: Monthly chosen the day it opened (its
 * first invoice), renewed on each billing date since (one invoice each, issued that day), and
 * every invoice of an ended month paid through the payment provider's event an hour after it
 * was issued; this month's stays open.
 */
async function seedDemoInvoices(
  db: Database,
  { businessId, ownerId, openedAt }: { businessId: string; ownerId: string; openedAt: Date },
  now: Date,
): Promise<void> {
  await changeSubscription(db, {
    businessId,
    planId: "monthly",
    locations: 1,
    actor: { userId: ownerId, label: "deli@demo.7stamp.test" },
    ip: null,
    now: openedAt,
  });
  for (;;) {
    const subscription = await db
      .selectFrom("subscriptions")
      .select("current_period_end")
      .where("business_id", "=", businessId)
      .executeTakeFirstOrThrow();
    if (subscription.current_period_end.getTime() > now.getTime()) break;
    await renewSubscription(db, { businessId, now: subscription.current_period_end });
  }
  const invoices = await db
    .selectFrom("invoices")
    .select(["number", "issued_at"])
    .where("business_id", "=", businessId)
    .where("period_end", "<=", now)
    .orderBy("issued_at")
    .execute();
  for (const invoice of invoices) {
    await receivePaymentEvent(db, {
      event: {
        id: `evt_demo_${invoice.number}`,
        type: "invoice.paid",
        data: { invoice: invoice.number },
      },
      now: new Date(invoice.issued_at.getTime() + 60 * 60 * 1000),
    });
  }
}

/**
 * Brewline's bundles and codes, made through the domain like a partner would: a batch of 50
 * "Café Starter" codes with some handed out, one revoked and one expired, and a few "POS Pro".
 */
async function seedDemoCodes(
  db: Database,
  { partnerId, ownerId }: { partnerId: string; ownerId: string },
  now: Date,
): Promise<DemoCodes> {
  const actor = { userId: ownerId, label: "partner@demo.7stamp.test" };
  const starter = await createBundle(db, {
    partnerId,
    actor,
    input: {
      name: "Café Starter",
      staffSeats: 2,
      cardOperations: 1000,
      termMonths: 12,
      codeValidityDays: 365,
      resalePriceCents: 69_000,
    },
    now: new Date(),
  });
  const pro = await createBundle(db, {
    partnerId,
    actor,
    input: {
      name: "POS Pro",
      staffSeats: 5,
      cardOperations: 20_000,
      termMonths: 12,
      codeValidityDays: 365,
      resalePriceCents: null,
    },
    now: new Date(),
  });
  const batch = (bundleId: string, count: number, prefix: string, label: string) =>
    generateBatch(db, {
      partnerId,
      bundleId,
      actor,
      input: { count, prefix, label, recipient: null, expiresAt: null },
      now: new Date(),
    });
  const { codes } = await batch(starter.id, 50, "CAFE", "Spring tasting 2026");
  const { codes: proCodes } = await batch(pro.id, 10, "POS", "Till integrations");
  const serials = codes!.map((code) => code.serial);
  // Brewline made its bundles and codes two days after enrolment (120 days ago), so that
  // every month's statement counts them as the partner had them; validity runs from then.
  const madeAt = new Date(now.getTime() - DEMO_CODES_AGE_DAYS * DAY);
  const shift = now.getTime() - madeAt.getTime();
  await db
    .updateTable("bundles")
    .set({ created_at: madeAt })
    .where("partner_id", "=", partnerId)
    .execute();
  for (const table of ["code_batches", "activation_codes"] as const) {
    await db
      .updateTable(table)
      .set({
        created_at: madeAt,
        expires_at: sql<Date>`expires_at - ${`${shift} milliseconds`}::interval`,
      })
      .where("partner_id", "=", partnerId)
      .execute();
  }
  await db
    .updateTable("code_batches")
    .set({ completed_at: madeAt })
    .where("partner_id", "=", partnerId)
    .execute();

  const recipients = [
    { name: "Corner Coffee", email: "owner@demo.7stamp.test", note: "Met at the spring tasting." },
    { name: "Bakery Blum", email: "hello@blum.example", note: "Wants to start in May." },
    { name: "Salon Nova", email: "desk@nova.example", note: null },
    { name: "Deli Duo", email: null, note: "Printed card handed over at the counter." },
  ];
  for (const [index, recipient] of recipients.entries()) {
    await handOutCode(db, {
      partnerId,
      serial: serials[index]!,
      recipient,
      lockToEmail: index === 1,
      actor,
      now: new Date(),
    });
  }
  await revokeCode(db, {
    partnerId,
    serial: serials[10]!,
    reason: "Printed on a damaged card.",
    actor,
    now: new Date(),
  });
  // A code nobody claimed in time (a batch cannot be made already expired, so it is aged here).
  await db
    .updateTable("activation_codes")
    .set({ expires_at: new Date(now.getTime() - 2 * DAY) })
    .where("partner_id", "=", partnerId)
    .where("id", "=", serials[11]!)
    .execute();
  return {
    starterCode: codes![0]!.code,
    proCode: proCodes![0]!.code,
    madeAt,
    // Codes nobody was given: the demo's history claims some of these in earlier months.
    spareStarterCodes: codes!.slice(12).map((code) => code.code),
    spareProCodes: proCodes!.slice(1).map((code) => code.code),
  };
}

/**
 * Corner Coffee claimed the first "Café Starter" code at the start of last month's period,
 * used up that month's free allowance and part of the code, and most of this month's
 * allowance; Harbour Deli claimed a "POS Pro" code today and started using it. All through
 * the domain, with the clock set to when each thing happened.
 */
async function seedDemoClaimsAndUsage(
  db: Database,
  {
    corner,
    deli,
    starterCode,
    proCode,
  }: {
    corner: { businessId: string; ownerId: string };
    deli: { businessId: string; ownerId: string };
    starterCode: string;
    proCode: string;
  },
  now: Date,
): Promise<void> {
  const plan = (await getBusinessPlan(db, { businessId: corner.businessId, now }))!;
  const current = allowancePeriod(plan, now);
  const previous = allowancePeriod(plan, new Date(current.start.getTime() - 1));

  const claimed = await claimCode(db, {
    businessId: corner.businessId,
    code: starterCode,
    actor: {
      userId: corner.ownerId,
      label: "owner@demo.7stamp.test",
      email: "owner@demo.7stamp.test",
    },
    ip: null,
    now: new Date(),
  });
  // Claims happen "now" in the database; the demo's claim happened last month.
  const claimedAt = new Date(previous.start.getTime() + DAY);
  await backdateClaim(db, claimed, claimedAt);

  // Stamps on most days: 100 from the plan and 240 from the code last month, 83 this month.
  let serial = 0;
  const day = async (at: Date, units: number) => {
    const operations: CardOperationInput[] = [];
    for (let left = units; left > 0;) {
      const quantity = Math.min(left, serial % 5 === 0 ? 2 : 1);
      left -= quantity;
      serial += 1;
      operations.push({
        businessId: corner.businessId,
        idempotencyKey: `demo-${serial}`,
        kind: serial % 7 === 0 ? "voucher" : "stamp",
        quantity,
        occurredAt: new Date(at.getTime() - (units - left) * 60_000),
      });
    }
    await recordCardOperations(db, { operations, now: at });
  };
  const daysLastMonth = Math.floor((previous.end.getTime() - claimedAt.getTime()) / DAY);
  for (let i = 1; i < daysLastMonth; i += 1) {
    await day(new Date(claimedAt.getTime() + i * DAY), Math.round(340 / (daysLastMonth - 1)) || 1);
  }
  const daysThisMonth = Math.max(1, Math.floor((now.getTime() - current.start.getTime()) / DAY));
  let thisMonth = 83;
  for (let i = 0; i < daysThisMonth && thisMonth > 0; i += 1) {
    const units =
      i === daysThisMonth - 1 ? thisMonth : Math.min(thisMonth, Math.ceil(83 / daysThisMonth));
    thisMonth -= units;
    const at = new Date(
      Math.min(now.getTime() - 60_000, current.start.getTime() + (i + 0.5) * DAY),
    );
    await day(at, units);
  }

  await claimCode(db, {
    businessId: deli.businessId,
    code: proCode,
    actor: { userId: deli.ownerId, label: "deli@demo.7stamp.test", email: "deli@demo.7stamp.test" },
    ip: null,
    now: new Date(),
  });
  await recordCardOperations(db, {
    operations: Array.from({ length: 40 }, (_, i) => ({
      businessId: deli.businessId,
      idempotencyKey: `demo-deli-${i}`,
      kind: i % 9 === 0 ? ("voucher" as const) : ("stamp" as const),
      quantity: 1,
      occurredAt: null,
    })),
    now,
  });
}

/** Moves a claim made now (the database's clock) to when the demo says it happened. */
async function backdateClaim(db: Database, claimed: ClaimedCode, at: Date): Promise<void> {
  await db
    .updateTable("activation_codes")
    .set({ claimed_at: at })
    .where("id", "=", claimed.serial)
    .execute();
  await db
    .updateTable("grants")
    .set({ starts_at: at, ends_at: addMonthsClamped(at, claimed.termMonths), created_at: at })
    .where("id", "=", claimed.grantId)
    .execute();
}

/**
 * Brewline's history, so that its statements have something in every month: three more
 * clients (each with an owner login) who claimed codes in each ended month since the codes
 * were made, two claims a month, and one "Café Starter" claim support rolled back last month
 * (a credit line on last month's statement). Through the domain, backdated like the claim above.
 */
async function seedDemoHistory(
  db: Database,
  {
    supportId,
    madeAt,
    spareStarterCodes,
    spareProCodes,
    passwordHash,
  }: DemoCodes & { supportId: string; passwordHash: string },
  now: Date,
): Promise<void> {
  const opened = new Date(madeAt.getTime() + DAY);
  const clients: { businessId: string; actor: { userId: string; label: string; email: string } }[] =
    [];
  for (const [name, email, ownerName] of [
    ["Tea Corner", "tea@demo.7stamp.test", "Theo Tea"],
    ["Salon Élan", "salon@demo.7stamp.test", "Sara Salon"],
    ["Pizzeria Sole", "pizza@demo.7stamp.test", "Paolo Pizza"],
  ] as const) {
    const user = await db
      .insertInto("users")
      .values({ email, name: ownerName, password_hash: passwordHash, created_at: opened })
      .returning("id")
      .executeTakeFirstOrThrow();
    const business = await db
      .insertInto("businesses")
      .values({
        name,
        plan_id: "free",
        billing_anchor_at: opened,
        plan_started_at: opened,
        created_at: opened,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("business_members")
      .values({ business_id: business.id, user_id: user.id, role: "owner", created_at: opened })
      .execute();
    clients.push({ businessId: business.id, actor: { userId: user.id, label: email, email } });
  }

  const starters = [...spareStarterCodes];
  const pros = [...spareProCodes];
  const claims: { claimed: ClaimedCode; at: Date; starter: boolean }[] = [];
  for (const month of monthsBetween(monthOf(opened), lastEndedMonth(now))) {
    const period = statementPeriod(month);
    const from = Math.max(period.start.getTime(), opened.getTime() + DAY);
    const to = Math.min(period.end.getTime(), now.getTime());
    if (to - from < DAY) continue;
    for (const fraction of [0.3, 0.7]) {
      const client = clients[claims.length % clients.length]!;
      // Mostly "Café Starter"; every fourth claim a "POS Pro".
      const starter = claims.length % 4 !== 3;
      const claimed = await claimCode(db, {
        businessId: client.businessId,
        code: (starter ? starters : pros).shift()!,
        actor: client.actor,
        ip: null,
        now: new Date(),
      });
      const at = new Date(Math.floor((from + (to - from) * fraction) / 60_000) * 60_000);
      await backdateClaim(db, claimed, at);
      claims.push({ claimed, at, starter });
    }
  }

  // Support rolls the first "Café Starter" claim back in the middle of last month.
  const last = statementPeriod(lastEndedMonth(now));
  const rolledBack = claims.find((claim) => claim.starter);
  if (rolledBack) {
    const at = new Date(
      Math.min(
        Math.max(
          rolledBack.at.getTime() + 2 * DAY,
          last.start.getTime() + 12 * DAY + 9 * 3_600_000,
        ),
        now.getTime() - 60_000,
      ),
    );
    await rollBackClaim(db, {
      activationCodeId: rolledBack.claimed.serial,
      reason: "Sold by mistake: the client wanted a bundle with more card operations.",
      actor: { userId: supportId, label: "support@demo.7stamp.test" },
      now: at,
    });
  }
}

/**
 * Every ended month's statements made final, partner by partner, each the way the daily job
 * would have made it: five minutes into the next month, oldest first.
 */
async function finalizeDemoStatements(db: Database, now: Date): Promise<void> {
  const first = monthOf(new Date(now.getTime() - 120 * DAY));
  for (const month of monthsBetween(first, lastEndedMonth(now))) {
    await finalizeMonthForAllPartners(db, {
      month,
      actor: systemActor,
      now: new Date(Math.min(statementPeriod(month).end.getTime() + 5 * 60_000, now.getTime())),
    });
  }
}

/** Where the demo's platform token is kept for `npm run simulate` (unless DEMO_TOKEN_FILE says). */
export const DEMO_PLATFORM_TOKEN_FILE = "data/demo-platform-token";

/**
 * Issues a platform token for the demo and writes it, readable by its owner only, to
 * DEMO_PLATFORM_TOKEN_FILE, so the simulator can drive the demo without another step.
 */
export async function writeDemoPlatformToken(
  db: Database,
  file = DEMO_PLATFORM_TOKEN_FILE,
): Promise<string> {
  const { token } = await createPlatformToken(db, {
    name: "Demo simulator",
    actor: systemActor,
  });
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return file;
}

/** Seeds when the database has no users yet; tells whether it did. */
export async function seedDemoIfEmpty(db: Database): Promise<boolean> {
  if (!(await isDatabaseEmpty(db))) return false;
  await seedDemo(db);
  return true;
}
