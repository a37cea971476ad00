// The Manage subscription, invoices and invoice pages as Remix calls them: owner only (staff
// 403, another business 404), billing details validated field by field (nothing written on
// a refusal), a confirmed change listed as an invoice with its lines.
import { describe, expect, test } from "vitest";
import * as subscriptionRoute from "~/routes/_app.business.$businessId.subscription";
import * as invoicesRoute from "~/routes/_app.business.$businessId.invoices._index";
import * as invoiceRoute from "~/routes/_app.business.$businessId.invoices.$invoiceId";
import { testDb } from "../db.ts";
import { addBusinessMember, createBusinessWithOwner, createUser } from "../factories.ts";
import { signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest, type FormFailureBody } from "../helpers/remix.ts";
import { only } from "../helpers/rows.ts";

async function owned() {
  const { business, owner } = await createBusinessWithOwner();
  const staff = await createUser();
  await addBusinessMember(business.id, staff.id, "staff");
  return {
    business,
    ownerCookie: (await signInAs(owner)).cookie,
    staffCookie: (await signInAs(staff)).cookie,
  };
}

function post(cookie: string, businessId: string, fields: Record<string, string>) {
  return callRoute<FormFailureBody>(subscriptionRoute.action, {
    request: formRequest(`/business/${businessId}/subscription`, fields, { cookie }),
    params: { businessId },
  });
}

describe("Manage subscription", () => {
  test("the owner's only", async () => {
    const { business, ownerCookie, staffCookie } = await owned();
    const other = await owned();
    const load = (cookie: string) =>
      callRoute(subscriptionRoute.loader, {
        request: getRequest(`/business/${business.id}/subscription`, { cookie }),
        params: { businessId: business.id },
      });
    expect((await load(ownerCookie)).status).toBe(200);
    expect(await load(staffCookie)).toMatchObject({ thrown: true, status: 403 });
    expect(await load(other.ownerCookie)).toMatchObject({ thrown: true, status: 404 });
  });

  test("billing details: bad input names the field and writes nothing; good input is saved", async () => {
    const { business, ownerCookie } = await owned();
    const bad = await post(ownerCookie, business.id, {
      intent: "billing-details",
      legalName: "",
      address: "Main St 1",
      country: "Germany",
      vatId: "FR123",
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual(["country", "legalName", "vatId"]);
    const wrongPrefix = await post(ownerCookie, business.id, {
      intent: "billing-details",
      legalName: "Deli GmbH",
      address: "Main St 1",
      country: "DE",
      vatId: "FR123456789",
    });
    expect(wrongPrefix.body.errors).toEqual({ vatId: { key: "invoices:details.errors.vatId" } });
    const none = await testDb()
      .db.selectFrom("billing_details")
      .select("business_id")
      .where("business_id", "=", business.id)
      .execute();
    expect(none).toEqual([]);

    const good = await post(ownerCookie, business.id, {
      intent: "billing-details",
      legalName: "Deli GmbH",
      address: "Main St 1, Berlin",
      country: "de",
      vatId: "",
    });
    expect(good.status).toBe(302);
  });

  test("preview, confirm, then the invoice is listed and shown; another business's invoice is 404", async () => {
    const { business, ownerCookie, staffCookie } = await owned();
    const other = await owned();
    const preview = await callRoute<{ preview: { dueTodayCents: number } }>(
      subscriptionRoute.action,
      {
        request: formRequest(
          `/business/${business.id}/subscription`,
          { intent: "preview-plan", planId: "yearly", locations: "1" },
          { cookie: ownerCookie },
        ),
        params: { businessId: business.id },
      },
    );
    expect(preview.body.preview.dueTodayCents).toBe(29000);
    const confirmed = await post(ownerCookie, business.id, {
      intent: "change-plan",
      planId: "yearly",
      locations: "1",
      expectedDueTodayCents: "29000",
    });
    expect(confirmed.status).toBe(302);

    const list = await callRoute<{ rows: { id: string; number: string; totalCents: number }[] }>(
      invoicesRoute.loader,
      {
        request: getRequest(`/business/${business.id}/invoices`, { cookie: ownerCookie }),
        params: { businessId: business.id },
      },
    );
    expect(list.body.rows).toHaveLength(1);
    const row = only(list.body.rows, "invoice");
    expect(row.number).toMatch(/^INV-\d{4}-\d{5}$/);
    const id = row.id;
    const detail = await callRoute<{ invoice: { lines: unknown[]; totalCents: number } }>(
      invoiceRoute.loader,
      {
        request: getRequest(`/business/${business.id}/invoices/${id}`, { cookie: ownerCookie }),
        params: { businessId: business.id, invoiceId: id },
      },
    );
    expect(detail.body.invoice.lines).toHaveLength(1);
    expect(
      await callRoute(invoiceRoute.loader, {
        request: getRequest(`/business/${other.business.id}/invoices/${id}`, {
          cookie: other.ownerCookie,
        }),
        params: { businessId: other.business.id, invoiceId: id },
      }),
    ).toMatchObject({ thrown: true, status: 404 });
    expect(
      await callRoute(invoicesRoute.loader, {
        request: getRequest(`/business/${business.id}/invoices`, { cookie: staffCookie }),
        params: { businessId: business.id },
      }),
    ).toMatchObject({ thrown: true, status: 403 });
  });
});
