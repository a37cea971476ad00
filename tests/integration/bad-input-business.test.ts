// "No request ever answers 500 for bad input" for the business pages: hand-crafted values
// the forms would never send reach the billing, redeem and staff routes; each answers 4xx
// and writes nothing.
import { beforeAll, describe, expect, test } from "vitest";
import { action as billingAction } from "~/routes/_app.business.$businessId.billing";
import { loader as redeemLoader, action as redeemAction } from "~/routes/_app.redeem.$code";
import { action as staffAction } from "~/routes/_app.business.$businessId.staff";
import { createBusinessWithOwner } from "../factories.ts";
import { countRows, signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest } from "../helpers/remix.ts";

let cookie: string;
let businessId: string;
const tables = ["grants", "activation_codes", "invitations", "audit_log"] as const;

beforeAll(async () => {
  const { business, owner } = await createBusinessWithOwner();
  businessId = business.id;
  cookie = (await signInAs(owner)).cookie;
});

async function expectRefused(run: () => Promise<{ status: number }>) {
  const before = await countRows([...tables]);
  const result = await run();
  expect(result.status).toBeGreaterThanOrEqual(400);
  expect(result.status).toBeLessThan(500);
  // A refused claim may count a failed attempt; nothing else is written.
  expect(await countRows([...tables])).toEqual(before);
}

describe("business pages refuse nonsense with 4xx", () => {
  const billing = (fields: Record<string, string>) =>
    callRoute(billingAction, {
      request: formRequest(`/business/${businessId}/billing`, fields, { cookie }),
      params: { businessId },
    });

  test.each<Record<string, string>>([
    { intent: "claim", code: "ABCD\u0000EFGH" },
    { intent: "claim", code: "x".repeat(5000) },
    { intent: "claim", code: "" },
    { intent: "claim", code: "🙂🙂🙂🙂-🙂🙂🙂🙂-🙂🙂🙂🙂-🙂🙂🙂🙂" },
    { intent: "change-plan", planId: "monthly\u0000", locations: "1" },
    { intent: "change-plan", planId: "monthly", locations: "99999999" },
    { intent: "change-plan", planId: "monthly", locations: "-1" },
    { intent: "change-plan", planId: "nope", locations: "" },
    { intent: "change-plan", planId: "custom", locations: "" },
    { intent: "something-else" },
  ])("billing %j", async (fields) => {
    await expectRefused(() => billing(fields));
  });

  test.each(["%00", "x".repeat(3000), "%F0%9F%99%82", "..%2F..%2Fetc", "CAFE-0000-0000-0000-0000"])(
    "redeem page for %s",
    async (code) => {
      await expectRefused(() =>
        callRoute(redeemLoader, {
          request: getRequest(`/redeem/${code}`, { cookie }),
          params: { code: decodeURIComponent(code) },
        }),
      );
      await expectRefused(() =>
        callRoute(redeemAction, {
          request: formRequest(`/redeem/${code}`, { businessId: "not-a-uuid" }, { cookie }),
          params: { code: decodeURIComponent(code) },
        }),
      );
    },
  );

  test.each<Record<string, string>>([
    { intent: "invite", email: "a\u0000b@example.test" },
    { intent: "invite", email: "not an email" },
    { intent: "invite", email: `${"a".repeat(400)}@example.test` },
    { intent: "remove", userId: "not-a-uuid" },
    { intent: "remove", userId: "00000000-0000-4000-8000-000000000000" },
    { intent: "revoke-invitation", email: "\u0000" },
  ])("staff %j", async (fields) => {
    await expectRefused(() =>
      callRoute(staffAction, {
        request: formRequest(`/business/${businessId}/staff`, fields, { cookie }),
        params: { businessId },
      }),
    );
  });
});
