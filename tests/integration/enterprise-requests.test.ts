// Custom / Enterprise by request: the owner's short form on the billing page (field errors,
// nothing written; a few a day per business), support's inbox (open / handled, newest first,
// paged) and "mark handled" decided once by a conditional update.
import { beforeAll, describe, expect, test } from "vitest";
import {
  handleEnterpriseRequest,
  listEnterpriseRequests,
  RequestAlreadyHandled,
} from "~/domain/enterprise-requests.server";
import { rateLimitRules } from "~/domain/rate-limits.server";
import { action as billingAction } from "~/routes/_app.business.$businessId.billing";
import { action, loader } from "~/routes/_app.support.requests";
import { loader as shellLoader } from "~/routes/_app";
import { testDb } from "../db.ts";
import {
  addBusinessMember,
  createBusinessWithOwner,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { auditRows, signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest, type FormFailureBody } from "../helpers/remix.ts";
import { first } from "../helpers/rows.ts";

let support: { id: string; email: string; cookie: string };
let colleague: { id: string; email: string; cookie: string };

beforeAll(async () => {
  for (const set of [
    (s: typeof support) => (support = s),
    (s: typeof support) => (colleague = s),
  ]) {
    const user = await createUser({ isSupport: true });
    set({ id: user.id, email: user.email, cookie: (await signInAs(user)).cookie });
  }
});

async function requestAs(businessId: string, cookie: string, fields: Record<string, string>) {
  return callRoute<FormFailureBody>(billingAction, {
    request: formRequest(
      `/business/${businessId}/billing?edit=enterprise`,
      { intent: "enterprise-request", ...fields },
      { cookie },
    ),
    params: { businessId },
  });
}

async function requestRows(businessId?: string) {
  let query = testDb()
    .db.selectFrom("enterprise_requests")
    .select([
      "id",
      "business_id",
      "requested_by",
      "locations",
      "card_operations_per_month",
      "message",
      "status",
      "handled_by",
      "handled_at",
      "note",
    ])
    .orderBy("created_at");
  if (businessId) query = query.where("business_id", "=", businessId);
  return query.execute();
}

function handle(fields: Record<string, string>, cookie = support.cookie, query = "") {
  return callRoute<FormFailureBody>(action, {
    request: formRequest(`/support/requests${query}`, fields, { cookie }),
  });
}

describe("asking for Custom / Enterprise", () => {
  test("the owner's request is stored, audited and confirmed; support's navigation counts it", async () => {
    const { business, owner } = await createBusinessWithOwner({ name: "Harbour Cafés" });
    const { cookie } = await signInAs(owner);
    const sent = await requestAs(business.id, cookie, {
      locations: "12",
      cardOperationsPerMonth: "40,000",
      message: "Twelve cafés, Lightspeed POS.",
    });
    expect(sent.status).toBe(302);
    expect(sent.location).toBe(`/business/${business.id}/billing`);
    expect(sent.setCookies.join(";")).toMatch(/flash/i);
    const row = first(await requestRows(business.id), "request");
    expect(row).toMatchObject({
      requested_by: owner.id,
      locations: 12,
      card_operations_per_month: 40_000,
      message: "Twelve cafés, Lightspeed POS.",
      status: "open",
      handled_by: null,
      handled_at: null,
    });
    const audit = (await auditRows("enterprise.requested")).find(
      (r) => r.business_id === business.id,
    );
    expect(audit).toMatchObject({
      actor_user_id: owner.id,
      subject_type: "enterprise_request",
      subject_id: row.id,
      after: { locations: 12, card_operations_per_month: 40_000 },
    });

    const shell = await callRoute<{ openRequests: number }>(shellLoader, {
      request: getRequest("/support/requests", { cookie: support.cookie }),
    });
    expect(shell.body.openRequests).toBeGreaterThanOrEqual(1);
    const ownerShell = await callRoute<{ openRequests: number }>(shellLoader, {
      request: getRequest(`/business/${business.id}/billing`, { cookie }),
    });
    expect(ownerShell.body.openRequests).toBe(0);
  });

  test("bad input names the field and writes nothing; staff cannot ask", async () => {
    const { business, owner } = await createBusinessWithOwner();
    const { cookie } = await signInAs(owner);
    const cases: [Record<string, string>, string, string][] = [
      [{ locations: "0" }, "locations", "validation.tooSmall"],
      [{ locations: "" }, "locations", "validation.required"],
      [{ locations: "many" }, "locations", "validation.wholeNumber"],
      [{ cardOperationsPerMonth: "-1" }, "cardOperationsPerMonth", "validation.tooSmall"],
      [{ cardOperationsPerMonth: "2.5" }, "cardOperationsPerMonth", "validation.wholeNumber"],
      [{ message: "x".repeat(2001) }, "message", "validation.tooLong"],
    ];
    for (const [change, field, key] of cases) {
      const result = await requestAs(business.id, cookie, {
        locations: "3",
        cardOperationsPerMonth: "5000",
        message: "",
        ...change,
      });
      expect(result.status, JSON.stringify(change)).toBe(400);
      expect(result.body.errors[field]?.key, JSON.stringify(change)).toBe(key);
    }
    const staff = await createUser();
    await addBusinessMember(business.id, staff.id, "staff");
    const refused = await requestAs(business.id, (await signInAs(staff)).cookie, {
      locations: "3",
      cardOperationsPerMonth: "5000",
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect(await requestRows(business.id)).toEqual([]);
    expect(
      (await auditRows("enterprise.requested")).filter((r) => r.business_id === business.id),
    ).toEqual([]);
  });

  test("a business can ask a few times a day, then is told to wait; nothing more is written", async () => {
    const { business, owner } = await createBusinessWithOwner();
    const { cookie } = await signInAs(owner);
    const limit = rateLimitRules.enterpriseRequestsPerBusiness.limit;
    for (let i = 0; i < limit; i++) {
      const ok = await requestAs(business.id, cookie, {
        locations: "2",
        cardOperationsPerMonth: "100",
      });
      expect(ok.status).toBe(302);
    }
    const limited = await requestAs(business.id, cookie, {
      locations: "2",
      cardOperationsPerMonth: "100",
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(limited.body.formError?.key).toBe("common:rateLimited");
    expect(limited.body.values.locations).toBe("2");
    expect(await requestRows(business.id)).toHaveLength(limit);
    // Another business is not held back.
    const { business: other, owner: otherOwner } = await createBusinessWithOwner();
    const fine = await requestAs(other.id, (await signInAs(otherOwner)).cookie, {
      locations: "1",
      cardOperationsPerMonth: "10",
    });
    expect(fine.status).toBe(302);
  });
});

describe("support's inbox", () => {
  test("open first by default, newest first, paged; handled with a note, once", async () => {
    const { db } = testDb();
    const { business, owner } = await createBusinessWithOwner({ name: "Inbox Bistro" });
    const { cookie } = await signInAs(owner);
    for (const locations of ["4", "5"]) {
      await requestAs(business.id, cookie, { locations, cardOperationsPerMonth: "900" });
      // Two requests in one millisecond would tie on created_at (then the id decides).
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const page = await callRoute<{
      rows: { id: string; businessId: string; locations: number; status: string }[];
      status: string;
    }>(loader, { request: getRequest("/support/requests", { cookie: support.cookie }) });
    expect(page.status).toBe(200);
    expect(page.body.status).toBe("open");
    const mine = page.body.rows.filter((r) => r.businessId === business.id);
    expect(mine.map((r) => r.locations)).toEqual([5, 4]);
    expect(page.body.rows.every((r) => r.status === "open")).toBe(true);

    // Paging walks every open request exactly once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const next: Awaited<ReturnType<typeof listEnterpriseRequests>> = await listEnterpriseRequests(
        db,
        { status: "open", cursor, limit: 2 },
      );
      seen.push(...next.rows.map((r) => r.id));
      cursor = next.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(page.body.rows.map((r) => r.id));

    const target = first(mine, "request of the business");
    const empty = await handle({ requestId: target.id, note: "" });
    expect(empty.status).toBe(400);
    expect(empty.body.errors.note?.key).toBe("validation.required");

    const handled = await handle(
      { requestId: target.id, note: "Called them; Custom plan from Monday." },
      support.cookie,
      "?status=open",
    );
    expect(handled.status).toBe(302);
    expect(handled.location).toBe("/support/requests?status=open");
    const second = await handle({ requestId: target.id, note: "I called too" }, colleague.cookie);
    expect(second.status).toBe(409);
    expect(second.body.formError).toEqual({
      key: "support:requests.alreadyHandled",
      values: { by: support.email },
    });
    const row = (await requestRows(business.id)).find((r) => r.id === target.id);
    expect(row).toMatchObject({
      status: "handled",
      handled_by: support.id,
      note: "Called them; Custom plan from Monday.",
    });
    const audits = (await auditRows("enterprise.request_handled")).filter(
      (r) => r.subject_id === target.id,
    );
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actor_user_id: support.id,
      business_id: business.id,
      reason: "Called them; Custom plan from Monday.",
      before: { status: "open" },
      after: { status: "handled" },
    });

    const handledPage = await callRoute<{ rows: { id: string; handledBy: string | null }[] }>(
      loader,
      { request: getRequest("/support/requests?status=handled", { cookie: support.cookie }) },
    );
    expect(handledPage.body.rows.find((r) => r.id === target.id)?.handledBy).toBe(support.email);
    const openPage = await callRoute<{ rows: { id: string }[] }>(loader, {
      request: getRequest("/support/requests", { cookie: support.cookie }),
    });
    expect(openPage.body.rows.map((r) => r.id)).not.toContain(target.id);

    const unknown = await handle({
      requestId: "00000000-0000-4000-8000-000000000000",
      note: "Nothing",
    });
    expect(unknown.status).toBe(404);
  });

  test("two support people at once: one handles it, the other is told", async () => {
    const { business, owner } = await createBusinessWithOwner();
    await requestAs(business.id, (await signInAs(owner)).cookie, {
      locations: "7",
      cardOperationsPerMonth: "7000",
    });
    const request = first(await requestRows(business.id), "request");
    const results = await Promise.allSettled(
      [support, colleague].map((who) =>
        handleEnterpriseRequest(testDb().db, {
          requestId: request.id,
          note: `Handled by ${who.email}`,
          actor: { userId: who.id, label: who.email },
          now: new Date(),
        }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(RequestAlreadyHandled);
    expect(
      (await auditRows("enterprise.request_handled")).filter((r) => r.subject_id === request.id),
    ).toHaveLength(1);
  });

  test("partner and business users get 404 from the inbox and its form; nothing is written", async () => {
    const { business, owner } = await createBusinessWithOwner();
    const { cookie: ownerCookie } = await signInAs(owner);
    await requestAs(business.id, ownerCookie, { locations: "1", cardOperationsPerMonth: "1" });
    const request = first(await requestRows(business.id), "request");
    const { owner: partnerOwner } = await createPartnerWithOwner();
    for (const cookie of [ownerCookie, (await signInAs(partnerOwner)).cookie]) {
      const page = await callRoute(loader, {
        request: getRequest("/support/requests", { cookie }),
      });
      expect(page.status).toBe(404);
      const posted = await handle({ requestId: request.id, note: "Sneaky" }, cookie);
      expect(posted.status).toBe(404);
    }
    expect((await requestRows(business.id))[0]).toMatchObject({ status: "open", note: "" });
  });
});
