// Every support route, found on disk (a new one is walked without editing this file), with
// each kind of caller: support gets the page; a partner or business user gets 404 from the
// loader and the action alike; an API key of any scope, or nobody, gets sent to sign in —
// and no one but support changes anything.
import { beforeAll, describe, expect, test } from "vitest";
import { finalizeStatements } from "~/domain/statements/finalise.server";
import { changeSubscription } from "~/domain/subscriptions/subscriptions.server";
import { createWebhookEndpoint } from "~/domain/webhooks/endpoints.server";
import { addMonths, monthOf, statementPeriod } from "~/lib/statement-months";
import { testDb } from "../db.ts";
import {
  createBatchWithCodes,
  createBundle,
  createBusinessWithOwner,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { partnerKey, platformToken } from "../helpers/api.ts";
import { signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest } from "../helpers/remix.ts";
import { first, get } from "../helpers/rows.ts";

type RouteFunction = Parameters<typeof callRoute>[0];
interface RouteModule {
  loader?: RouteFunction;
  action?: RouteFunction;
}

const modules = import.meta.glob<RouteModule>("../../app/routes/_app.support*.tsx", {
  eager: true,
});

/**
 * "_app.support.partners.$slug_.statements.$month.tsx" → support/partners/$slug/statements/$month:
 * a "[.]" is a dot inside a segment ("audit[.]csv" is audit.csv), a trailing "_" only opts
 * out of the parent's layout.
 */
function routeOf(file: string) {
  const name = file
    .split("/")
    .at(-1)!
    .replace(/\.tsx$/, "")
    .replaceAll("[.]", "\u0000");
  const segments = name
    .split(".")
    .slice(1)
    .filter((segment) => segment !== "_index")
    .map((segment) => segment.replace(/_$/, "").replaceAll("\u0000", "."));
  return segments;
}

let fixtures: {
  slug: string;
  businessId: string;
  serial: string;
  month: string;
  statementId: string;
  auditId: string;
  endpointId: string;
  invoiceId: string;
  cookies: Record<"support" | "partner" | "business", string>;
  tokens: Record<"partner" | "platform", string>;
};

beforeAll(async () => {
  const support = await createUser({ isSupport: true });
  const { partner, owner } = await createPartnerWithOwner();
  const { business, owner: businessOwner } = await createBusinessWithOwner();
  const { codes } = await createBatchWithCodes(await createBundle(partner.id), { count: 1 });
  const code = first(codes, "code");
  // A partner enrolled last month with that month final: a statement page and a PDF to open.
  const now = new Date();
  const lastMonth = addMonths(monthOf(now), -1);
  const { partner: enrolledEarlier } = await createPartnerWithOwner({
    createdAt: statementPeriod(lastMonth).start,
  });
  const finalised = first(
    await finalizeStatements(testDb().db, {
      partnerId: enrolledEarlier.id,
      month: lastMonth,
      actor: { userId: null, label: "test" },
      now,
    }),
    "final statement",
  );
  const audit = await testDb()
    .db.selectFrom("audit_log")
    .select("id")
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  // A platform webhook endpoint, for the support pages about one endpoint.
  const endpoint = await createWebhookEndpoint(testDb().db, {
    partnerId: null,
    url: "https://hooks.example.test/7stamp",
    events: ["code.claimed"],
  });
  // A business on Monthly: its first invoice, for the support pages about one invoice.
  const { business: paying } = await createBusinessWithOwner();
  const { invoice } = await changeSubscription(testDb().db, {
    businessId: paying.id,
    planId: "monthly",
    locations: 1,
    actor: { userId: null, label: "test" },
    ip: null,
    now,
  });
  statementPartnerSlug = enrolledEarlier.slug;
  fixtures = {
    slug: partner.slug,
    businessId: business.id,
    serial: String(code.id),
    month: lastMonth,
    statementId: finalised.statementId,
    auditId: String(audit.id),
    endpointId: endpoint.id,
    invoiceId: invoice!.id,
    cookies: {
      support: (await signInAs(support)).cookie,
      partner: (await signInAs(owner)).cookie,
      business: (await signInAs(businessOwner)).cookie,
    },
    tokens: { partner: await partnerKey(partner.id), platform: await platformToken() },
  };
});

let statementPartnerSlug: string;

function pathAndParams(segments: string[]) {
  const params: Record<string, string> = {};
  const statementRoute = segments.includes("statements");
  const values: Record<string, string> = {
    slug: statementRoute ? statementPartnerSlug : fixtures.slug,
    businessId: fixtures.businessId,
    serial: fixtures.serial,
    month: fixtures.month,
    statementId: fixtures.statementId,
    id: fixtures.auditId,
    endpointId: fixtures.endpointId,
    invoiceId: fixtures.invoiceId,
  };
  const path = segments
    .map((segment) => {
      if (!segment.startsWith("$")) return segment;
      // "$statementId.pdf": the parameter, then the rest of the segment.
      const parts = segment.slice(1).split(".");
      const param = first(parts, "route parameter");
      const rest = parts.slice(1);
      const value = values[param];
      if (value === undefined) throw new Error(`no fixture for $${param}`);
      params[param] = value;
      return [value, ...rest].join(".");
    })
    .join("/");
  return { path: `/${path}`, params };
}

async function snapshot() {
  const { db } = testDb();
  const [partners, grants, codes, invitations, keys, statements, audit, prices, plans, requests] =
    await Promise.all([
      db
        .selectFrom("partners")
        .select(["id", "status", "discount_bps", "statement_prefix"])
        .orderBy("id")
        .execute(),
      db.selectFrom("grants").select(["id", "ends_at"]).orderBy("id").execute(),
      db
        .selectFrom("activation_codes")
        .select(["id", "status", "expires_at"])
        .orderBy("id")
        .execute(),
      db
        .selectFrom("invitations")
        .select(["token_hash", "revoked_at"])
        .orderBy("token_hash")
        .execute(),
      db.selectFrom("api_keys").select(["id", "revoked_at"]).orderBy("id").execute(),
      db.selectFrom("statements").select(["id", "number"]).orderBy("id").execute(),
      db
        .selectFrom("audit_log")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow(),
      db.selectFrom("price_list").select(["id"]).orderBy("id").execute(),
      db
        .selectFrom("plans")
        .select(["id", "name", "price_cents", "active", "updated_at"])
        .orderBy("id")
        .execute(),
      db.selectFrom("enterprise_requests").select(["id", "status"]).orderBy("id").execute(),
    ]);
  return {
    partners,
    grants,
    codes,
    invitations,
    keys,
    statements,
    audit: Number(audit.n),
    prices,
    plans,
    requests,
  };
}

// A form every support action would accept from support: it must still do nothing for others.
const hostileForm = {
  intent: "suspend",
  month: "2026-01",
  partner: "",
  keyId: "",
  reason: "Not allowed to do this",
  name: "Evil Partner",
  slug: "evil-partner",
  type: "other",
  discount: "90",
  statementPrefix: "EVIL",
  contactEmail: "evil@example.test",
  // The price list and plan forms.
  effectiveOn: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
  staffSeatMonthPrice: "0.01",
  cardOperationPrice: "0.01",
  planId: "monthly",
  price: "0",
  billingInterval: "month",
  cardOperationsPerMonth: "1",
  staffSeats: "0",
};

describe("every support route", () => {
  const files = Object.keys(modules).sort();

  test("there are support routes to walk", () => {
    expect(files.length).toBeGreaterThanOrEqual(14);
  });

  for (const file of files) {
    const segments = routeOf(file);
    const mod = get(modules, file, "route module");

    test(`${segments.join("/")}: support sees it; partner and business users get 404; keys and strangers sign in first`, async () => {
      const { path, params } = pathAndParams(segments);
      if (mod.loader) {
        const asSupport = await callRoute(mod.loader, {
          request: getRequest(path, { cookie: fixtures.cookies.support }),
          params,
        });
        // A code look-up without a query is a page; with a found code it redirects to it.
        expect(asSupport.status, path).toBe(200);
        for (const role of ["partner", "business"] as const) {
          const result = await callRoute(mod.loader, {
            request: getRequest(path, { cookie: fixtures.cookies[role] }),
            params,
          });
          expect(result.status, `${role} ${path}`).toBe(404);
        }
        for (const scope of ["partner", "platform"] as const) {
          const result = await callRoute(mod.loader, {
            request: getRequest(path, {
              headers: { Authorization: `Bearer ${fixtures.tokens[scope]}` },
            }),
            params,
          });
          expect(result.status, `${scope} key ${path}`).toBe(302);
          expect(result.location).toMatch(/^\/login/);
        }
      }
      if (mod.action) {
        const before = await snapshot();
        for (const role of ["partner", "business"] as const) {
          const result = await callRoute(mod.action, {
            request: formRequest(path, hostileForm, { cookie: fixtures.cookies[role] }),
            params,
          });
          expect(result.status, `${role} POST ${path}`).toBe(404);
        }
        for (const scope of ["partner", "platform"] as const) {
          const result = await callRoute(mod.action, {
            request: formRequest(path, hostileForm, {
              headers: { Authorization: `Bearer ${fixtures.tokens[scope]}` },
            }),
            params,
          });
          expect(result.status, `${scope} key POST ${path}`).toBe(302);
          expect(result.location).toMatch(/^\/login/);
        }
        const anonymous = await callRoute(mod.action, {
          request: formRequest(path, hostileForm),
          params,
        });
        expect(anonymous.status).toBe(302);
        expect(await snapshot()).toEqual(before);
      }
    });
  }
});
