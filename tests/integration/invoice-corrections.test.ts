// Corrections of issued invoices (issue 14, ADR 037) on the real database: support voids an
// open invoice (one of two concurrent voids wins, a paid one is refused), corrects a paid one
// by a credit note CN-{YYYY}-{NNNNN} mirroring it (gapless under parallel issuing, one per
// invoice — the database refuses a second), with audit entries and outbox events; voiding a
// referred business's first paid-plan invoice claws back the referral rewards.
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import {
  InvoiceAlreadyCredited,
  InvoiceNotOpen,
  InvoiceNotPaid,
  issueCreditNote,
  voidInvoice,
} from "~/domain/invoices/corrections.server";
import { connectReferralAccount } from "~/domain/referrals/accounts.server";
import { attributeSignUp, recordVisit } from "~/domain/referrals/attribution.server";
import { changeSubscription } from "~/domain/subscriptions/subscriptions.server";
import { testDb } from "../db.ts";
import { addBusinessMember, createBusiness, createUser } from "../factories.ts";
import { auditRows, signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest, type FormFailureBody } from "../helpers/remix.ts";
import { at } from "../helpers/rows.ts";

const DAY = 86_400_000;
const support = { userId: null, label: "support@7stamp.test" };

async function businessAt(name?: string) {
  const business = await createBusiness(name ? { name } : {});
  const domain = `d${randomUUID().slice(0, 8)}.test`;
  const owner = await createUser({ email: `owner-${randomUUID().slice(0, 8)}@${domain}` });
  await addBusinessMember(business.id, owner.id, "owner");
  return { business, owner };
}

/** A business on Monthly with its first invoice (open), issued at `at`. */
async function invoicedBusiness(at: Date, business?: { id: string }) {
  const businessId = business?.id ?? (await businessAt()).business.id;
  const { invoice } = await changeSubscription(testDb().db, {
    businessId,
    planId: "monthly",
    locations: 2,
    actor: support,
    ip: null,
    now: at,
  });
  if (!invoice) throw new Error("no invoice issued");
  return { businessId, invoice };
}

async function markPaid(invoiceId: string, at: Date) {
  await testDb()
    .db.updateTable("invoices")
    .set({ status: "paid", status_changed_at: at })
    .where("id", "=", invoiceId)
    .execute();
}

async function invoiceRow(id: string) {
  return testDb()
    .db.selectFrom("invoices")
    .select(["status", "status_reason", "status_changed_at", "number", "total_cents"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

async function outbox(businessId: string, topic: string) {
  return testDb()
    .db.selectFrom("outbox_events")
    .select(["payload"])
    .where("business_id", "=", businessId)
    .where("topic", "=", topic)
    .execute();
}

describe("voiding", () => {
  test("an open invoice becomes void with its reason; audit and outbox say so; a second void is refused", async () => {
    const now = new Date("2026-11-05T10:00:00.000Z");
    const { businessId, invoice } = await invoicedBusiness(new Date("2026-11-01T00:00:00.000Z"));
    const voided = await voidInvoice(testDb().db, {
      invoiceId: invoice.id,
      reason: "Issued in error",
      actor: support,
      now,
    });
    expect(voided.number).toBe(invoice.number);
    expect(await invoiceRow(invoice.id)).toMatchObject({
      status: "void",
      status_reason: "Issued in error",
      status_changed_at: now,
    });
    expect((await auditRows("invoice.voided")).length).toBeGreaterThan(0);
    const [event] = await outbox(businessId, "invoice.voided");
    expect(event?.payload).toMatchObject({ number: invoice.number, reason: "Issued in error" });
    await expect(
      voidInvoice(testDb().db, { invoiceId: invoice.id, reason: "Again", actor: support, now }),
    ).rejects.toBeInstanceOf(InvoiceNotOpen);
  });

  test("two voids at once: one wins, the other gets invoice_not_open", async () => {
    const { invoice } = await invoicedBusiness(new Date("2026-11-01T00:00:00.000Z"));
    const now = new Date("2026-11-06T00:00:00.000Z");
    const results = await Promise.allSettled(
      ["First agent", "Second agent"].map((reason) =>
        voidInvoice(testDb().db, { invoiceId: invoice.id, reason, actor: support, now }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected");
    expect(refused?.status === "rejected" && refused.reason).toBeInstanceOf(InvoiceNotOpen);
    expect((refused as PromiseRejectedResult).reason).toMatchObject({
      code: "invoice_not_open",
      status: 409,
    });
  });

  test("a paid invoice is not voided (it is corrected by a credit note); nothing changes", async () => {
    const { invoice } = await invoicedBusiness(new Date("2026-11-01T00:00:00.000Z"));
    await markPaid(invoice.id, new Date("2026-11-02T00:00:00.000Z"));
    await expect(
      voidInvoice(testDb().db, {
        invoiceId: invoice.id,
        reason: "Too late",
        actor: support,
        now: new Date("2026-11-03T00:00:00.000Z"),
      }),
    ).rejects.toMatchObject({ code: "invoice_not_open", status: 409 });
    expect((await invoiceRow(invoice.id)).status).toBe("paid");
  });
});

describe("credit notes", () => {
  test("a paid invoice gets one credit note mirroring it, negated; a second is refused, also by the database", async () => {
    const { db } = testDb();
    const { businessId, invoice } = await invoicedBusiness(new Date("2027-03-01T00:00:00.000Z"));
    await markPaid(invoice.id, new Date("2027-03-02T00:00:00.000Z"));
    const now = new Date("2027-03-10T09:00:00.000Z");
    const note = await issueCreditNote(db, {
      invoiceId: invoice.id,
      reason: "Customer closed a location",
      actor: support,
      now,
    });
    expect(note.number).toBe("CN-2027-00001");
    expect(note.totalCents).toBe(0 - invoice.totalCents);
    const row = await db
      .selectFrom("invoices")
      .select([
        "kind",
        "credits_invoice_id",
        "credit_reason",
        "net_cents",
        "vat_cents",
        "total_cents",
        "billing_snapshot",
        "status",
      ])
      .where("id", "=", note.id)
      .executeTakeFirstOrThrow();
    const original = await db
      .selectFrom("invoices")
      .select(["net_cents", "vat_cents", "total_cents", "billing_snapshot"])
      .where("id", "=", invoice.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      kind: "credit_note",
      credits_invoice_id: invoice.id,
      credit_reason: "Customer closed a location",
      net_cents: 0 - original.net_cents,
      vat_cents: 0 - original.vat_cents,
      total_cents: 0 - original.total_cents,
      status: "open",
    });
    expect(row.billing_snapshot).toEqual(original.billing_snapshot);
    const lines = async (id: string) =>
      db
        .selectFrom("invoice_lines")
        .select(["position", "kind", "quantity", "amount_cents"])
        .where("invoice_id", "=", id)
        .orderBy("position")
        .execute();
    expect(await lines(note.id)).toEqual(
      (await lines(invoice.id)).map((l) => ({ ...l, amount_cents: 0 - l.amount_cents })),
    );
    expect((await auditRows("credit_note.issued")).length).toBeGreaterThan(0);
    const [event] = await outbox(businessId, "credit_note.issued");
    expect(event?.payload).toMatchObject({
      number: "CN-2027-00001",
      credits_invoice_number: invoice.number,
    });

    await expect(
      issueCreditNote(db, { invoiceId: invoice.id, reason: "Twice", actor: support, now }),
    ).rejects.toBeInstanceOf(InvoiceAlreadyCredited);
    // The database itself allows one credit note per invoice.
    await expect(
      db
        .insertInto("invoices")
        .values({
          business_id: businessId,
          kind: "credit_note",
          year: 2027,
          sequence: 999,
          number: "CN-2027-00999",
          credits_invoice_id: invoice.id,
          credit_reason: "Sneaked in",
          issued_at: now,
          billing_snapshot: JSON.stringify(original.billing_snapshot),
          net_cents: 0,
          vat_rate_bps: 0,
          vat_cents: 0,
          total_cents: 0,
          reverse_charge: false,
          status: "open",
        })
        .execute(),
    ).rejects.toThrow(/invoices_one_credit_note_idx|unique|duplicate/i);
  });

  test("an open invoice is not credited (it is voided instead)", async () => {
    const { invoice } = await invoicedBusiness(new Date("2027-04-01T00:00:00.000Z"));
    await expect(
      issueCreditNote(testDb().db, {
        invoiceId: invoice.id,
        reason: "Wrong",
        actor: support,
        now: new Date("2027-04-02T00:00:00.000Z"),
      }),
    ).rejects.toBeInstanceOf(InvoiceNotPaid);
  });

  test("numbers are gapless under parallel issuing; duplicates take no number", async () => {
    const { db } = testDb();
    const invoices = [];
    for (let i = 0; i < 8; i++) {
      const { invoice } = await invoicedBusiness(new Date("2033-01-05T00:00:00.000Z"));
      await markPaid(invoice.id, new Date("2033-01-06T00:00:00.000Z"));
      invoices.push(invoice);
    }
    const now = new Date("2033-02-01T12:00:00.000Z");
    const results = await Promise.allSettled(
      [...invoices, at(invoices, 0, "invoice"), at(invoices, 3, "invoice")].map((invoice, i) =>
        issueCreditNote(db, { invoiceId: invoice.id, reason: `Refund ${i}`, actor: support, now }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(8);
    const refusals = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(refusals.map((r) => (r.reason as { code?: string }).code)).toEqual([
      "invoice_already_credited",
      "invoice_already_credited",
    ]);
    const rows = await db
      .selectFrom("invoices")
      .select(["sequence", "number"])
      .where("kind", "=", "credit_note")
      .where("year", "=", 2033)
      .orderBy("sequence")
      .execute();
    expect(rows.map((r) => r.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(rows[0]?.number).toBe("CN-2033-00001");
  }, 60_000);
});

describe("referral claw-back", () => {
  /** A business referred by another, attributed, not yet qualified. */
  async function referred() {
    const { db } = testDb();
    const referrer = await businessAt(`Referrer ${randomUUID().slice(0, 6)}`);
    const account = await connectReferralAccount(db, {
      referrer: { businessId: referrer.business.id },
      actor: support,
      now: new Date(),
    });
    const visit = await recordVisit(db, {
      slug: account.slug,
      ip: "203.0.113.9",
      userAgent: "Mozilla/5.0 (iPhone)",
      landingPage: `/r/${account.slug}`,
      now: new Date(Date.now() - DAY),
    });
    const business = await businessAt();
    const referralId = await db.transaction().execute((trx) =>
      attributeSignUp(trx, {
        businessId: business.business.id,
        token: visit.token,
        ip: "203.0.113.9",
        actor: { userId: business.owner.id, label: business.owner.email },
        now: new Date(),
      }),
    );
    if (!referralId) throw new Error("not attributed");
    return { referrer, business: business.business, referralId };
  }

  async function referralGrants(businessId: string) {
    return testDb()
      .db.selectFrom("grants")
      .select(["ends_at"])
      .where("business_id", "=", businessId)
      .where("source", "=", "referral")
      .execute();
  }

  test("voiding the first paid-plan invoice of a business that qualified through it claws the rewards back", async () => {
    const { db } = testDb();
    const { referrer, business, referralId } = await referred();
    const { invoice } = await invoicedBusiness(new Date(), business);
    const before = await db
      .selectFrom("referrals")
      .select(["qualified_by", "clawed_back_at"])
      .where("id", "=", referralId)
      .executeTakeFirstOrThrow();
    expect(before).toEqual({ qualified_by: "paid_plan", clawed_back_at: null });
    expect(await referralGrants(business.id)).toHaveLength(1);

    const now = new Date(Date.now() + 60_000);
    const result = await voidInvoice(db, {
      invoiceId: invoice.id,
      reason: "Never paid",
      actor: support,
      now,
    });
    expect(result.referralClawedBack).toBe(true);
    const after = await db
      .selectFrom("referrals")
      .select(["clawed_back_at"])
      .where("id", "=", referralId)
      .executeTakeFirstOrThrow();
    expect(after.clawed_back_at).toEqual(now);
    for (const id of [business.id, referrer.business.id]) {
      const [grant] = await referralGrants(id);
      expect(grant?.ends_at.getTime()).toBe(now.getTime());
    }
    const audit = await auditRows("referral.clawed_back");
    expect(audit.length).toBeGreaterThan(0);
  });

  test("voiding a later invoice claws nothing back", async () => {
    const { db } = testDb();
    const { business, referralId } = await referred();
    const start = new Date();
    const { invoice: first } = await invoicedBusiness(start, business);
    await markPaid(first.id, new Date(start.getTime() + 1000));
    // More locations on the next day: a second (prorated) invoice.
    const { invoice: second } = await changeSubscription(db, {
      businessId: business.id,
      planId: "monthly",
      locations: 3,
      actor: support,
      ip: null,
      now: new Date(start.getTime() + DAY),
    });
    expect(second).not.toBeNull();
    const result = await voidInvoice(db, {
      invoiceId: second!.id,
      reason: "Duplicate",
      actor: support,
      now: new Date(start.getTime() + 2 * DAY),
    });
    expect(result.referralClawedBack).toBe(false);
    const row = await db
      .selectFrom("referrals")
      .select(["clawed_back_at"])
      .where("id", "=", referralId)
      .executeTakeFirstOrThrow();
    expect(row.clawed_back_at).toBeNull();
  });
});

describe("support's invoice page", () => {
  async function page() {
    const { loader, action } = await import("~/routes/_app.support.invoices_.$invoiceId");
    const supportUser = await createUser({ isSupport: true });
    const cookie = (await signInAs(supportUser)).cookie;
    return { loader, action, cookie };
  }

  test("shows the invoice; a void needs a reason (named in the error), then redirects with a flash", async () => {
    const { loader, action, cookie } = await page();
    const { invoice } = await invoicedBusiness(new Date("2028-05-01T00:00:00.000Z"));
    const path = `/support/invoices/${invoice.id}`;
    const params = { invoiceId: invoice.id };
    const shown = await callRoute<{ invoice: { number: string; status: string } }>(loader, {
      request: getRequest(path, { cookie }),
      params,
    });
    expect(shown.status).toBe(200);
    expect(shown.body.invoice).toMatchObject({ number: invoice.number, status: "open" });

    const empty = await callRoute<FormFailureBody>(action, {
      request: formRequest(path, { intent: "void", reason: "  " }, { cookie }),
      params,
    });
    expect(empty.status).toBe(400);
    expect(Object.keys(empty.body.errors)).toEqual(["reason"]);
    expect((await invoiceRow(invoice.id)).status).toBe("open");

    const done = await callRoute(action, {
      request: formRequest(path, { intent: "void", reason: "Issued twice" }, { cookie }),
      params,
    });
    expect(done.status).toBe(302);
    expect(done.location).toBe(path);
    expect((await invoiceRow(invoice.id)).status).toBe("void");

    // The page was open in two tabs: the second void is refused above the form, not a 500.
    const again = await callRoute<FormFailureBody>(action, {
      request: formRequest(path, { intent: "void", reason: "Issued twice" }, { cookie }),
      params,
    });
    expect(again.status).toBe(409);
    expect(again.body.formError?.key).toBe("support:errors.invoice_not_open");
  });

  test("a credit note for a paid invoice; owners, unknown and malformed ids get 404", async () => {
    const { loader, action, cookie } = await page();
    const { businessId, invoice } = await invoicedBusiness(new Date("2028-06-01T00:00:00.000Z"));
    await markPaid(invoice.id, new Date("2028-06-02T00:00:00.000Z"));
    const path = `/support/invoices/${invoice.id}`;
    const params = { invoiceId: invoice.id };
    const done = await callRoute(action, {
      request: formRequest(path, { intent: "creditNote", reason: "Refund agreed" }, { cookie }),
      params,
    });
    expect(done.status).toBe(302);
    const shown = await callRoute<{ invoice: { creditNotes: { number: string }[] } }>(loader, {
      request: getRequest(path, { cookie }),
      params,
    });
    // The page's clock is the real one: the credit note is numbered in this year.
    const notes = shown.body.invoice.creditNotes.map((n) => n.number);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^CN-\d{4}-\d{5}$/);

    const owner = await testDb()
      .db.selectFrom("business_members")
      .select("user_id")
      .where("business_id", "=", businessId)
      .executeTakeFirstOrThrow();
    const ownerCookie = (await signInAs({ id: owner.user_id })).cookie;
    for (const [invoiceId, who] of [
      [invoice.id, ownerCookie],
      ["00000000-0000-4000-8000-000000000000", cookie],
      ["nope", cookie],
    ] as const) {
      const result = await callRoute(loader, {
        request: getRequest(`/support/invoices/${invoiceId}`, { cookie: who }),
        params: { invoiceId },
      });
      expect(result.status).toBe(404);
    }
  });
});

describe("the owner's invoice page", () => {
  test("a void invoice shows its reason and time; a credited one its credit note, which names it; only within the business", async () => {
    const { loader } = await import("~/routes/_app.business.$businessId.invoices.$invoiceId");
    const { business, owner } = await businessAt();
    const cookie = (await signInAs(owner)).cookie;
    // A second business of the same owner holds the credited invoice (one first invoice each).
    const second = await businessAt();
    await addBusinessMember(second.business.id, owner.id, "owner");
    type Shown = {
      invoice: {
        status: string;
        statusReason: string | null;
        statusChangedAt: Date | null;
        creditsInvoice: { id: string; number: string } | null;
        creditNotes: { id: string; number: string; totalCents: number }[];
      };
    };
    const show = (invoiceId: string, businessId = business.id, as = cookie) =>
      callRoute<Shown>(loader, {
        request: getRequest(`/business/${businessId}/invoices/${invoiceId}`, { cookie: as }),
        params: { businessId, invoiceId },
      });

    const { invoice: voided } = await invoicedBusiness(
      new Date("2029-01-01T00:00:00.000Z"),
      business,
    );
    const voidedAt = new Date("2029-01-03T10:00:00.000Z");
    await voidInvoice(testDb().db, {
      invoiceId: voided.id,
      reason: "Issued in error",
      actor: support,
      now: voidedAt,
    });
    const shownVoid = await show(voided.id);
    expect(shownVoid.status).toBe(200);
    expect(shownVoid.body.invoice).toMatchObject({
      status: "void",
      statusReason: "Issued in error",
      statusChangedAt: voidedAt,
      creditNotes: [],
    });

    const { invoice: paid } = await invoicedBusiness(
      new Date("2029-02-01T00:00:00.000Z"),
      second.business,
    );
    await markPaid(paid.id, new Date("2029-02-02T00:00:00.000Z"));
    const note = await issueCreditNote(testDb().db, {
      invoiceId: paid.id,
      reason: "Refund agreed",
      actor: support,
      now: new Date("2029-02-10T00:00:00.000Z"),
    });
    const shownPaid = await show(paid.id, second.business.id);
    expect(shownPaid.body.invoice.creditNotes).toEqual([
      expect.objectContaining({ id: note.id, number: note.number }),
    ]);
    expect(shownPaid.body.invoice.creditNotes[0]?.totalCents).toBeLessThan(0);
    const shownNote = await show(note.id, second.business.id);
    expect(shownNote.body.invoice.creditsInvoice).toEqual({ id: paid.id, number: paid.number });

    // The owner's first business does not show the second one's documents; another business's
    // owner sees neither, even through their own business.
    expect(await show(note.id)).toMatchObject({ status: 404 });
    const other = await businessAt();
    const otherCookie = (await signInAs(other.owner)).cookie;
    for (const id of [paid.id, note.id]) {
      expect(await show(id, other.business.id, otherCookie)).toMatchObject({ status: 404 });
    }
  });
});
