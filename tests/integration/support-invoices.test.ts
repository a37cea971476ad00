// Support's list of all invoices (issue 14): every invoice across businesses, newest first,
// keyset paged through the one paginator (each row once), filtered by status, kind, year and
// a search by number or business name; "Mark paid" needs a reason (the error names the
// field, nothing is written), marks an open invoice paid with a flash, and refuses one that
// is no longer open.
import { beforeAll, describe, expect, test } from "vitest";
import { renewDueSubscriptions } from "~/domain/invoices/issue.server";
import { listAllInvoices, InvoiceListFilterSchema } from "~/domain/invoices/support-list.server";
import { changeSubscription } from "~/domain/subscriptions/subscriptions.server";
import * as listRoute from "~/routes/_app.support.invoices._index";
import { testDb } from "../db.ts";
import { createBusinessWithOwner, createUser } from "../factories.ts";
import { auditRows } from "../helpers/auth.ts";
import { signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest } from "../helpers/remix.ts";

const actor = { userId: null, label: "support invoices test" };
let support: { cookie: string; email: string };
let zephyrId: string;
const OTHERS = 26;

const noFilter = InvoiceListFilterSchema.parse({});

async function monthly(name: string, start: Date) {
  const { business } = await createBusinessWithOwner({ name });
  await changeSubscription(testDb().db, {
    businessId: business.id,
    planId: "monthly",
    locations: 1,
    actor,
    ip: null,
    now: start,
  });
  return business.id;
}

async function allNumbers(filter = noFilter) {
  const numbers: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await listAllInvoices(testDb().db, { filter, cursor, limit: 25 });
    numbers.push(...page.rows.map((row) => row.number));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor && pages < 20);
  return { numbers, pages };
}

async function invoiceByNumber(number: string) {
  return testDb()
    .db.selectFrom("invoices")
    .select(["id", "status", "status_reason"])
    .where("number", "=", number)
    .executeTakeFirstOrThrow();
}

beforeAll(async () => {
  const user = await createUser({ isSupport: true });
  support = { cookie: (await signInAs(user)).cookie, email: user.email };
  for (let i = 0; i < OTHERS; i++)
    await monthly(`Shop ${String(i).padStart(2, "0")}`, new Date(Date.UTC(2026, 10, 2, 8, i)));
  zephyrId = await monthly("Zephyr Bakery", new Date("2026-11-20T09:00:00.000Z"));
  // Zephyr only is renewed, late (after downtime): its December and January periods are
  // both invoiced on 21 January 2027, so numbered in 2027.
  await testDb()
    .db.updateTable("subscriptions")
    .set({ status: "cancel_at_period_end" })
    .where("business_id", "<>", zephyrId)
    .execute();
  await renewDueSubscriptions(testDb().db, { now: new Date("2027-01-21T00:00:00.000Z") });
});

describe("support's list of all invoices", () => {
  test("pages every invoice once, newest first", async () => {
    const total = await testDb()
      .db.selectFrom("invoices")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    const { numbers, pages } = await allNumbers();
    expect(numbers).toHaveLength(Number(total.n));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(pages).toBe(2);
    const first = await listAllInvoices(testDb().db, { filter: noFilter, limit: 25 });
    const issued = first.rows.map((row) => row.issuedAt.getTime());
    expect(issued).toEqual([...issued].sort((a, b) => b - a));
  });

  test("filters: year, search by business name or number, status, kind", async () => {
    const zephyr = await allNumbers(InvoiceListFilterSchema.parse({ q: "zephyr" }));
    expect(zephyr.numbers).toHaveLength(3);
    const y2027 = await allNumbers(InvoiceListFilterSchema.parse({ year: "2027" }));
    expect([...y2027.numbers].sort()).toEqual(["INV-2027-00001", "INV-2027-00002"]);
    const byNumber = await allNumbers(InvoiceListFilterSchema.parse({ q: "INV-2027-00001" }));
    expect(byNumber.numbers).toEqual(["INV-2027-00001"]);
    const wildcard = await allNumbers(InvoiceListFilterSchema.parse({ q: "%" }));
    expect(wildcard.numbers).toEqual([]);
    const credits = await allNumbers(InvoiceListFilterSchema.parse({ kind: "credit_note" }));
    expect(credits.numbers).toEqual([]);
    const open2026 = await allNumbers(
      InvoiceListFilterSchema.parse({ status: "open", year: "2026", q: "shop 0" }),
    );
    expect(open2026.numbers).toHaveLength(10);
    // A value the filter does not know is dropped, not an error.
    expect(InvoiceListFilterSchema.parse({ status: "nonsense", year: "abc" })).toMatchObject({
      status: null,
      year: null,
    });
  });

  test("the page is support's: the loader lists with its filters; others get no page", async () => {
    const page = await callRoute<{ rows: { number: string }[]; query: string }>(listRoute.loader, {
      request: getRequest("/support/invoices?q=Zephyr&status=open", { cookie: support.cookie }),
    });
    expect(page.status).toBe(200);
    expect(page.body.rows).toHaveLength(3);
    expect(page.body.query).toBe("status=open&q=Zephyr");

    const owner = await createUser();
    const refused = await callRoute(listRoute.loader, {
      request: getRequest("/support/invoices", { cookie: (await signInAs(owner)).cookie }),
    });
    expect(refused.thrown).toBe(true);
    expect([403, 404]).toContain(refused.status);
  });

  test("Mark paid needs a reason, marks the invoice paid once, with a flash", async () => {
    const invoice = await invoiceByNumber("INV-2027-00001");
    const missing = await callRoute<{ errors: Record<string, unknown> }>(listRoute.action, {
      request: formRequest(
        "/support/invoices?q=Zephyr",
        { invoiceId: invoice.id, reason: "  " },
        { cookie: support.cookie },
      ),
    });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.errors)).toEqual(["reason"]);
    expect((await invoiceByNumber("INV-2027-00001")).status).toBe("open");

    const paid = await callRoute(listRoute.action, {
      request: formRequest(
        "/support/invoices?q=Zephyr",
        { invoiceId: invoice.id, reason: "Bank transfer received 22 January, ref 0042" },
        { cookie: support.cookie },
      ),
    });
    expect(paid.status).toBe(302);
    expect(paid.location).toBe("/support/invoices?q=Zephyr");
    expect(paid.setCookies.join(";")).toMatch(/flash/i);
    expect(await invoiceByNumber("INV-2027-00001")).toMatchObject({
      status: "paid",
      status_reason: "Bank transfer received 22 January, ref 0042",
    });
    const audit = (await auditRows("invoice.paid")).filter((r) => r.business_id === zephyrId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_label: support.email,
      reason: "Bank transfer received 22 January, ref 0042",
    });
    const events = await testDb()
      .db.selectFrom("outbox_events")
      .select("payload")
      .where("topic", "=", "invoice.paid")
      .where("business_id", "=", zephyrId)
      .execute();
    expect(events).toHaveLength(1);

    const again = await callRoute<{ formError: { key: string } }>(listRoute.action, {
      request: formRequest(
        "/support/invoices",
        { invoiceId: invoice.id, reason: "again" },
        { cookie: support.cookie },
      ),
    });
    expect(again.status).toBe(409);
    expect(again.body.formError.key).toBe("problems.invoice_not_open");

    const paidOnly = await allNumbers(InvoiceListFilterSchema.parse({ status: "paid" }));
    expect(paidOnly.numbers).toEqual(["INV-2027-00001"]);
    const openZephyr = await allNumbers(
      InvoiceListFilterSchema.parse({ status: "open", q: "Zephyr" }),
    );
    expect(openZephyr.numbers).toHaveLength(2);
  });
});
