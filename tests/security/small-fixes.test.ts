// The smaller findings of issue 12, each with the test that failed before its fix: page 429s
// keep Retry-After (§12), code pages are not stored (§17), impossible dates (§15), login's
// redirectTo cap (§16), client errors logged as warnings (§19), secrets masked in logged
// paths, the production mail setting (§3), and the codes of a batch still generating left out
// of lists and exports (the decision in ADR 017).
import { afterEach, describe, expect, test, vi } from "vitest";
import type { HeadersFunction } from "@remix-run/node";
import { db } from "~/db.server";
import { BatchFormSchema } from "~/domain/batches/model.server";
import { codesCsv } from "~/domain/codes/csv.server";
import { listCodes } from "~/domain/codes/reads.server";
import { handleError } from "~/entry.server";
import { parseEnv } from "~/env.server";
import { loggablePath } from "~/lib/log.server";
import { passOnRetryAfter, secretPageHeaders } from "~/lib/route-headers";
import * as batchPage from "~/routes/_app.partner.$slug.batches.$batchId";
import * as codePage from "~/routes/_app.partner.$slug.codes.$serial";
import * as codesPage from "~/routes/_app.partner.$slug.codes._index";
import * as forgotPage from "~/routes/_auth.forgot-password";
import * as loginPage from "~/routes/_auth.login";
import * as signupPage from "~/routes/_auth.signup";
import * as billingPage from "~/routes/_app.business.$businessId.billing";
import * as redeemPage from "~/routes/_app.redeem.$code";
import * as staffPage from "~/routes/_app.business.$businessId.staff";
import * as teamPage from "~/routes/_app.partner.$slug.team";
import {
  createBatchWithCodes,
  createBundle,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { callRoute, formRequest, makeContext } from "../helpers/remix.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

function headersOf(
  fn: HeadersFunction | undefined,
  init: { action?: HeadersInit; loader?: HeadersInit },
) {
  expect(fn).toBeTypeOf("function");
  return new Headers(
    (fn as HeadersFunction)({
      actionHeaders: new Headers(init.action),
      loaderHeaders: new Headers(init.loader),
      parentHeaders: new Headers(),
      errorHeaders: undefined,
    }),
  );
}

describe("headers reach the page response", () => {
  test.each([
    ["login", loginPage],
    ["sign-up", signupPage],
    ["forgot-password", forgotPage],
    ["billing (claim)", billingPage],
    ["redeem", redeemPage],
    ["staff (invite)", staffPage],
    ["team (invite)", teamPage],
    ["a code's page (email)", codePage],
  ])("%s passes an action's or loader's Retry-After on", (_name, page) => {
    const fn = (page as { headers?: HeadersFunction }).headers;
    expect(headersOf(fn, { action: { "Retry-After": "450" } }).get("Retry-After")).toBe("450");
    expect(headersOf(fn, { loader: { "Retry-After": "90" } }).get("Retry-After")).toBe("90");
  });

  test.each([
    ["the codes list", codesPage],
    ["a code's page", codePage],
    ["a batch's page", batchPage],
    ["the redeem page", redeemPage],
  ])("%s is never stored", (_name, page) => {
    const fn = (page as { headers?: HeadersFunction }).headers;
    expect(headersOf(fn, {}).get("Cache-Control")).toBe("no-store");
  });

  test("the helpers pass nothing else on", () => {
    const headers = headersOf(passOnRetryAfter, { action: { "X-Other": "1", "Retry-After": "5" } });
    expect([...headers.keys()]).toEqual(["retry-after"]);
    expect(headersOf(secretPageHeaders, {}).get("Retry-After")).toBeNull();
  });
});

describe("the generate form's expiry", () => {
  test.each(["2027-02-30", "2027-02-29", "2027-04-31", "2027-13-01", "2027-00-10"])(
    "%s is refused, not rolled over",
    (expiresOn) => {
      const parsed = BatchFormSchema.safeParse({
        count: "5",
        prefix: "",
        expiresOn,
        label: "",
        recipient: "",
      });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(["expiresOn"]);
    },
  );

  test("a real day (a leap day too) is taken as the end of that day, UTC", () => {
    const parsed = BatchFormSchema.parse({
      count: "5",
      prefix: "",
      expiresOn: "2028-02-29",
      label: "",
      recipient: "",
    });
    expect(parsed.expiresAt?.toISOString()).toBe("2028-02-29T23:59:59.999Z");
  });
});

test("login: a redirectTo longer than 2,000 characters is refused, never put in Location", async () => {
  const user = await createUser();
  const result = await callRoute(loginPage.action, {
    request: formRequest("/login", {
      email: user.email,
      password: "correct-horse-battery-staple",
      redirectTo: `/${"a".repeat(100_000)}`,
    }),
    context: makeContext(),
  });
  expect(result.status).toBe(400);
  expect(result.headers.get("Location")).toBeNull();
});

describe("logging", () => {
  test("paths carrying a code or a token are masked", () => {
    expect(loggablePath("http://x/redeem/ABCD-EFGH-JKMN-PQRS")).toBe("/redeem/[code]");
    expect(loggablePath("http://x/reset-password/abc123")).toBe("/reset-password/[token]");
    expect(loggablePath("http://x/invitations/abc123/accept")).toBe("/invitations/[token]/accept");
    expect(loggablePath("http://x/partner/brewline/codes")).toBe("/partner/brewline/codes");
  });

  test("a client's mistake is a warning without a stack; a failure is an error", async () => {
    const { UNSAFE_ErrorResponseImpl: ErrorResponseImpl } =
      (await import("@remix-run/router")) as unknown as {
        UNSAFE_ErrorResponseImpl: new (
          status: number,
          statusText: string,
          data: unknown,
          internal?: boolean,
        ) => unknown;
      };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const request = new Request("http://x/reset-password/secret-token", { method: "PUT" });
    handleError(new ErrorResponseImpl(405, "Method Not Allowed", null, true), { request });
    handleError(
      new Error(
        "Warning: Single fetch-enabled apps should not be making ?_data requests, this is likely to break in the future",
      ),
      { request },
    );
    expect(error).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(2);
    for (const [line, extra] of warn.mock.calls) {
      expect(line).not.toContain("secret-token");
      expect(extra).toBe("");
    }
    handleError(new Error("the database is gone"), { request });
    expect(error).toHaveBeenCalledTimes(1);
  });
});

describe("settings", () => {
  const production = { NODE_ENV: "production", SESSION_SECRET: "a-production-secret-123" };

  test("production without SMTP_URL or an explicit OUTBOX_DIR does not start", () => {
    expect(() => parseEnv(production)).toThrow(/SMTP_URL/);
    expect(parseEnv({ ...production, SMTP_URL: "smtp://mail.example:587" }).isProduction).toBe(
      true,
    );
    expect(parseEnv({ ...production, OUTBOX_DIR: "/var/mail/portal" }).OUTBOX_DIR).toBe(
      "/var/mail/portal",
    );
  });

  test("development keeps the default outbox", () => {
    expect(parseEnv({ NODE_ENV: "development" }).OUTBOX_DIR).toBe("./data/outbox");
  });

  test("TRUST_PROXY is checked at start-up", () => {
    expect(parseEnv({ TRUST_PROXY: "1" }).TRUST_PROXY).toBe(1);
    expect(() => parseEnv({ TRUST_PROXY: "yes please" })).toThrow(/TRUST_PROXY/);
  });
});

describe("codes of a batch still generating", () => {
  test("are left out of the codes list and the CSV until the batch is ready", async () => {
    const { partner } = await createPartnerWithOwner();
    const bundle = await createBundle(partner.id);
    const { codes: ready } = await createBatchWithCodes(bundle, { count: 2 });
    const { batch: generating } = await createBatchWithCodes(bundle, {
      count: 3,
      status: "generating",
    });
    // A generator part-way through: codes written, the batch not ready.
    const { generateCode } = await import("~/lib/activation-code");
    await db
      .insertInto("activation_codes")
      .values(
        Array.from({ length: 3 }, () => ({
          code: generateCode(),
          partner_id: partner.id,
          bundle_id: bundle.id,
          batch_id: generating.id,
          expires_at: new Date(Date.now() + 86_400_000),
        })),
      )
      .execute();

    const listed = await listCodes(db, { partnerId: partner.id, now: new Date() });
    expect(listed.rows.map((r) => r.serial).sort()).toEqual(ready.map((c) => c.id).sort());
    const byBatch = await listCodes(db, {
      partnerId: partner.id,
      filter: { batchId: generating.id },
      now: new Date(),
    });
    expect(byBatch.rows).toEqual([]);

    const csv = await new Response(codesCsv(db, { partnerId: partner.id, now: new Date() })).text();
    expect(csv.trim().split("\n")).toHaveLength(1 + ready.length);

    await db
      .updateTable("code_batches")
      .set({ status: "ready", generated_count: 3, completed_at: new Date() })
      .where("id", "=", generating.id)
      .execute();
    expect((await listCodes(db, { partnerId: partner.id, now: new Date() })).rows).toHaveLength(5);
  });
});
