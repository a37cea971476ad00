// The payment provider's webhook (issue 14, ADR 038) on the real database: a correctly signed
// `invoice.paid` marks the invoice paid once (a replayed event id, even delivered in parallel,
// changes nothing); a bad signature, an old timestamp or an unknown invoice answers 400 / 404
// problem+json and records nothing; `invoice.payment_failed` makes the subscription past due,
// the owner's banner data follows, paying makes it active again, and a subscription past due
// for longer than the setting falls back to the free plan at its period's end.
import { describe, expect, test } from "vitest";
import { openApiDocument } from "~/api/openapi.server";
import { getBusinessPlan } from "~/domain/entitlements/plan.server";
import { renewDueSubscriptions } from "~/domain/invoices/issue.server";
import { paymentSignatureHeader } from "~/domain/invoices/payment-signature.server";
import { receivePaymentEvent } from "~/domain/invoices/payments.server";
import { changeSubscription } from "~/domain/subscriptions/subscriptions.server";
import { getSubscriptionSummary } from "~/domain/subscriptions/reads.server";
import { env } from "~/env.server";
import { testDb } from "../db.ts";
import * as billingRoute from "~/routes/_app.business.$businessId.billing";
import * as subscriptionRoute from "~/routes/_app.business.$businessId.subscription";
import { addBusinessMember, createBusinessWithOwner, createUser } from "../factories.ts";
import { callApi } from "../helpers/api.ts";
import { auditRows, signInAs } from "../helpers/auth.ts";
import { callRoute, getRequest } from "../helpers/remix.ts";

const actor = { userId: null, label: "payments test" };
const secret = env.PAYMENT_WEBHOOK_SECRET!;
let eventSerial = 0;

/** A business on Monthly from `start`, with its first invoice (open). */
async function monthlyBusiness(start = new Date("2026-11-01T09:00:00.000Z")) {
  const { business, owner } = await createBusinessWithOwner();
  const change = await changeSubscription(testDb().db, {
    businessId: business.id,
    planId: "monthly",
    locations: 1,
    actor,
    ip: null,
    now: start,
  });
  return { businessId: business.id, ownerId: owner.id, invoice: change.invoice! };
}

function newEventId() {
  return `evt_test_${process.pid}_${++eventSerial}`;
}

function deliver(
  body: unknown,
  {
    signWith = secret,
    at = new Date(),
    header,
  }: { signWith?: string; at?: Date; header?: string } = {},
) {
  const raw = JSON.stringify(body);
  const t = Math.floor(at.getTime() / 1000);
  return callApi({
    method: "POST",
    path: "/api/v1/payments/webhook",
    token: null,
    rawBody: raw,
    headers: {
      "Content-Type": "application/json",
      "X-Payment-Signature": header ?? paymentSignatureHeader(signWith, t, raw),
    },
  });
}

async function invoiceRow(id: string) {
  return testDb()
    .db.selectFrom("invoices")
    .select(["status", "status_reason", "status_changed_at"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

async function outboxTopics(businessId: string) {
  const rows = await testDb()
    .db.selectFrom("outbox_events")
    .select(["topic", "payload"])
    .where("business_id", "=", businessId)
    .where("topic", "like", "invoice.%")
    .orderBy("id")
    .execute();
  return rows;
}

async function eventRows(invoiceId: string) {
  return testDb()
    .db.selectFrom("payment_events")
    .select(["event_id", "type", "outcome"])
    .where("invoice_id", "=", invoiceId)
    .execute();
}

async function subscriptionOf(businessId: string) {
  return testDb()
    .db.selectFrom("subscriptions")
    .select(["status", "past_due_since", "current_period_end", "ended_at"])
    .where("business_id", "=", businessId)
    .executeTakeFirstOrThrow();
}

describe("POST /api/v1/payments/webhook", () => {
  test("a signed invoice.paid marks the invoice paid; the same event again changes nothing", async () => {
    const { businessId, invoice } = await monthlyBusiness();
    const event = { id: newEventId(), type: "invoice.paid", data: { invoice: invoice.number } };
    const first = await deliver(event);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toEqual({
      received: true,
      event_id: event.id,
      invoice: invoice.number,
      outcome: "paid",
      replayed: false,
    });
    const paid = await invoiceRow(invoice.id);
    expect(paid.status).toBe("paid");
    expect(paid.status_reason).toBe(`payment event ${event.id}`);
    const topics = await outboxTopics(businessId);
    expect(topics.map((r) => r.topic)).toEqual(["invoice.issued", "invoice.paid"]);
    expect(topics[1]?.payload).toMatchObject({
      number: invoice.number,
      business_id: businessId,
      total_cents: invoice.totalCents,
      status: "paid",
    });
    const audits = (await auditRows("invoice.paid")).filter((r) => r.business_id === businessId);
    expect(audits).toHaveLength(1);
    expect(audits[0]?.actor_label).toBe("payment provider");

    const again = await deliver(event);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: "paid", replayed: true });
    expect((await invoiceRow(invoice.id)).status_changed_at).toEqual(paid.status_changed_at);
    expect(await outboxTopics(businessId)).toHaveLength(2);
    expect(
      (await auditRows("invoice.paid")).filter((r) => r.business_id === businessId),
    ).toHaveLength(1);
    expect(await eventRows(invoice.id)).toEqual([
      { event_id: event.id, type: "invoice.paid", outcome: "paid" },
    ]);

    // Another event paying the same invoice finds it settled.
    const other = await deliver({ ...event, id: newEventId() });
    expect(other.body).toMatchObject({ outcome: "already_settled", replayed: false });
    expect(await outboxTopics(businessId)).toHaveLength(2);
  });

  test("parallel duplicate deliveries of one event are applied once", async () => {
    const { businessId, invoice } = await monthlyBusiness();
    const event = { id: newEventId(), type: "invoice.paid", data: { invoice: invoice.number } };
    const answers = await Promise.all(Array.from({ length: 6 }, () => deliver(event)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const fresh = answers.filter((a) => (a.body as { replayed: boolean }).replayed === false);
    expect(fresh).toHaveLength(1);
    expect(answers.every((a) => (a.body as { outcome: string }).outcome === "paid")).toBe(true);
    expect((await outboxTopics(businessId)).map((r) => r.topic)).toEqual([
      "invoice.issued",
      "invoice.paid",
    ]);
    expect(await eventRows(invoice.id)).toHaveLength(1);
  });

  test("a bad signature, an old or future timestamp, or no header: 400, nothing changed", async () => {
    const { businessId, invoice } = await monthlyBusiness();
    const event = { id: newEventId(), type: "invoice.paid", data: { invoice: invoice.number } };
    const now = new Date();
    const refusals = [
      await deliver(event, { signWith: "whsec_someone_else_entirely" }),
      await deliver(event, { at: new Date(now.getTime() - 301_000) }),
      await deliver(event, { at: new Date(now.getTime() + 301_000) }),
      await deliver(event, { header: "" }),
      await deliver(event, { header: "t=abc,v1=xyz" }),
      // A signature of another body.
      await deliver(event, {
        header: paymentSignatureHeader(
          secret,
          Math.floor(now.getTime() / 1000),
          JSON.stringify({ ...event, id: "evt_other" }),
        ),
      }),
    ];
    for (const answer of refusals) {
      expect(answer.status).toBe(400);
      expect(answer.headers.get("Content-Type")).toMatch(/application\/problem\+json/);
      expect(answer.body).toMatchObject({ code: "payment_signature_invalid" });
    }
    expect((refusals[1]?.body as { detail: string }).detail).toMatch(/5 minutes/);
    expect((await invoiceRow(invoice.id)).status).toBe("open");
    expect(await eventRows(invoice.id)).toEqual([]);
    expect((await outboxTopics(businessId)).map((r) => r.topic)).toEqual(["invoice.issued"]);

    // Within the tolerance it is accepted.
    const late = await deliver(event, { at: new Date(now.getTime() - 290_000) });
    expect(late.status).toBe(200);
  });

  test("an unknown invoice answers 404 and records nothing; bad JSON answers 400", async () => {
    const id = newEventId();
    const answer = await deliver({ id, type: "invoice.paid", data: { invoice: "INV-1999-99999" } });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ code: "invoice_not_found" });
    const recorded = await testDb()
      .db.selectFrom("payment_events")
      .select("event_id")
      .where("event_id", "=", id)
      .execute();
    expect(recorded).toEqual([]);

    const missing = await deliver({ id: newEventId(), type: "invoice.paid", data: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: "invalid_request" });
    expect(JSON.stringify(missing.body)).toContain("data.invoice");
  });

  test("an oversized body is refused before its signature is read", async () => {
    const answer = await deliver({
      id: newEventId(),
      type: "x",
      data: { invoice: "x".repeat(70_000) },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: "invalid_request" });
  });

  test("the contract documents the endpoint and its signature", () => {
    const doc = openApiDocument() as unknown as {
      paths: Record<string, { post?: { security?: unknown[] } }>;
      components: { securitySchemes: Record<string, { type: string; name?: string }> };
    };
    expect(doc.paths["/api/v1/payments/webhook"]?.post?.security).toEqual([
      { paymentSignature: [] },
    ]);
    expect(doc.components.securitySchemes.paymentSignature).toMatchObject({
      type: "apiKey",
      name: "X-Payment-Signature",
    });
  });
});

describe("past due", () => {
  test("a failed payment makes the subscription past due; the banner data; paying makes it active", async () => {
    const { businessId, invoice } = await monthlyBusiness();
    const failedAt = new Date("2026-11-03T10:00:00.000Z");
    const failed = await receivePaymentEvent(testDb().db, {
      event: {
        id: newEventId(),
        type: "invoice.payment_failed",
        data: { invoice: invoice.number },
      },
      now: failedAt,
    });
    expect(failed).toMatchObject({ outcome: "past_due", replayed: false });
    expect(await subscriptionOf(businessId)).toMatchObject({
      status: "past_due",
      past_due_since: failedAt,
    });
    const summary = await getSubscriptionSummary(testDb().db, {
      businessId,
      now: new Date("2026-11-04T00:00:00.000Z"),
      daysPastDue: 14,
    });
    expect(summary?.status).toBe("past_due");
    expect(summary?.pastDue).toEqual({
      since: failedAt,
      payBy: new Date("2026-11-17T10:00:00.000Z"),
      invoiceNumbers: [invoice.number],
    });
    expect((await outboxTopics(businessId)).map((r) => r.topic)).toEqual([
      "invoice.issued",
      "invoice.payment_failed",
    ]);

    // A second failure keeps the first date.
    await receivePaymentEvent(testDb().db, {
      event: {
        id: newEventId(),
        type: "invoice.payment_failed",
        data: { invoice: invoice.number },
      },
      now: new Date("2026-11-05T10:00:00.000Z"),
    });
    expect((await subscriptionOf(businessId)).past_due_since).toEqual(failedAt);

    const paid = await receivePaymentEvent(testDb().db, {
      event: { id: newEventId(), type: "invoice.paid", data: { invoice: invoice.number } },
      now: new Date("2026-11-06T10:00:00.000Z"),
    });
    expect(paid.outcome).toBe("paid");
    expect(await subscriptionOf(businessId)).toMatchObject({
      status: "active",
      past_due_since: null,
    });
    const after = await getSubscriptionSummary(testDb().db, {
      businessId,
      now: new Date("2026-11-06T11:00:00.000Z"),
    });
    expect(after?.pastDue).toBeNull();

    // A failure reported for a paid invoice changes nothing.
    const late = await receivePaymentEvent(testDb().db, {
      event: {
        id: newEventId(),
        type: "invoice.payment_failed",
        data: { invoice: invoice.number },
      },
      now: new Date("2026-11-07T10:00:00.000Z"),
    });
    expect(late.outcome).toBe("already_settled");
    expect((await subscriptionOf(businessId)).status).toBe("active");
  });

  test("a plan change does not settle a failed payment: upgrade and downgrade keep it past due", async () => {
    const { businessId, invoice } = await monthlyBusiness();
    await receivePaymentEvent(testDb().db, {
      event: {
        id: newEventId(),
        type: "invoice.payment_failed",
        data: { invoice: invoice.number },
      },
      now: new Date("2026-11-03T10:00:00.000Z"),
    });
    const upgrade = await changeSubscription(testDb().db, {
      businessId,
      planId: "monthly",
      locations: 2,
      actor,
      ip: null,
      now: new Date("2026-11-10T10:00:00.000Z"),
    });
    expect(upgrade.quote.outcome).toBe("upgrade");
    expect((await subscriptionOf(businessId)).status).toBe("past_due");
    const downgrade = await changeSubscription(testDb().db, {
      businessId,
      planId: "monthly",
      locations: 1,
      actor,
      ip: null,
      now: new Date("2026-11-11T10:00:00.000Z"),
    });
    expect(downgrade.quote.outcome).toBe("downgrade");
    expect((await subscriptionOf(businessId)).status).toBe("past_due");
  });

  test("past due longer than the setting: renewed while under it, free at the period's end after it", async () => {
    // Monthly from 1 November; the payment fails on 25 November: on 1 December it has been
    // past due 6 days (< 14): renewed and invoiced, still past due. On 1 January (37 days):
    // the plan falls back to free.
    const { businessId, invoice } = await monthlyBusiness(new Date("2026-11-01T09:00:00.000Z"));
    await receivePaymentEvent(testDb().db, {
      event: {
        id: newEventId(),
        type: "invoice.payment_failed",
        data: { invoice: invoice.number },
      },
      now: new Date("2026-11-25T09:00:00.000Z"),
    });
    const december = await renewDueSubscriptions(testDb().db, {
      now: new Date("2026-12-01T10:00:00.000Z"),
      daysPastDue: 14,
    });
    expect(december.filter((i) => i.number !== invoice.number).length).toBeGreaterThanOrEqual(1);
    expect(await subscriptionOf(businessId)).toMatchObject({
      status: "past_due",
      current_period_end: new Date("2027-01-01T09:00:00.000Z"),
    });
    expect(
      (
        await getBusinessPlan(testDb().db, {
          businessId,
          now: new Date("2026-12-02T00:00:00.000Z"),
        })
      )?.id,
    ).toBe("monthly");

    await renewDueSubscriptions(testDb().db, {
      now: new Date("2027-01-01T10:00:00.000Z"),
      daysPastDue: 14,
    });
    expect(await subscriptionOf(businessId)).toMatchObject({
      status: "ended",
      ended_at: new Date("2027-01-01T09:00:00.000Z"),
      past_due_since: null,
    });
    const plan = await getBusinessPlan(testDb().db, {
      businessId,
      now: new Date("2027-01-02T00:00:00.000Z"),
    });
    expect(plan?.id).toBe("free");
    const invoices = await testDb()
      .db.selectFrom("invoices")
      .select("number")
      .where("business_id", "=", businessId)
      .execute();
    expect(invoices).toHaveLength(2);
    const renewal = (await auditRows("subscription.renewed")).filter(
      (r) => r.business_id === businessId,
    );
    expect(renewal.at(-1)?.after).toMatchObject({ outcome: "ended_past_due" });
  });

  test("the owner's pages carry the banner data; staff see none of it", async () => {
    // Monthly from now, so the period is the running one on the pages' own clock.
    const { businessId, ownerId, invoice } = await monthlyBusiness(new Date());
    const failedAt = new Date();
    await receivePaymentEvent(testDb().db, {
      event: {
        id: newEventId(),
        type: "invoice.payment_failed",
        data: { invoice: invoice.number },
      },
      now: failedAt,
    });
    const ownerCookie = (await signInAs({ id: ownerId })).cookie;
    type PageData = {
      subscription: { status: string; pastDue: { invoiceNumbers: string[]; payBy: Date } | null };
    };
    for (const route of [billingRoute, subscriptionRoute]) {
      const page = await callRoute<PageData>(route.loader, {
        request: getRequest(`/business/${businessId}/billing`, { cookie: ownerCookie }),
        params: { businessId },
      });
      expect(page.status).toBe(200);
      expect(page.body.subscription.status).toBe("past_due");
      expect(page.body.subscription.pastDue?.invoiceNumbers).toEqual([invoice.number]);
      expect(new Date(page.body.subscription.pastDue!.payBy).getTime()).toBe(
        failedAt.getTime() + env.PAYMENT_DAYS_PAST_DUE * 24 * 60 * 60 * 1000,
      );
    }
    const staff = await createUser();
    await addBusinessMember(businessId, staff.id, "staff");
    const staffPage = await callRoute<PageData>(billingRoute.loader, {
      request: getRequest(`/business/${businessId}/billing`, {
        cookie: (await signInAs(staff)).cookie,
      }),
      params: { businessId },
    });
    expect(staffPage.status).toBe(200);
    expect(staffPage.body.subscription.pastDue).toBeNull();
  });
});
