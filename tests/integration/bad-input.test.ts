// "No request ever answers 500 for bad input" (DESIGN.md §8): hand-crafted values the
// browser's forms would never send — NUL bytes, out-of-range numbers, forged cursors —
// reaching loaders and actions directly.
import { beforeAll, describe, expect, test } from "vitest";
import { forgeCursor } from "../helpers/cursor";
import { action as accountAction } from "~/routes/_app.account";
import { loader as partnerDashboardLoader } from "~/routes/_app.partner.$slug._index";
import { loader as supportAuditLoader } from "~/routes/_app.support.audit";
import { loader as supportBusinessesLoader } from "~/routes/_app.support.businesses._index";
import { loader as supportPartnersLoader } from "~/routes/_app.support.partners._index";
import { loader as supportStatementsLoader } from "~/routes/_app.support.statements";
import { action as signupAction } from "~/routes/_auth.signup";
import { action as loginAction } from "~/routes/_auth.login";
import { testDb } from "../db.ts";
import { createBusiness, createPartner, createUser } from "../factories.ts";
import { countRows, signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest, type FormFailureBody } from "../helpers/remix.ts";

let support: string;
let someone: string;

beforeAll(async () => {
  support = (await signInAs(await createUser({ isSupport: true }))).cookie;
  someone = (await signInAs(await createUser())).cookie;
  for (let i = 0; i < 3; i++) {
    await createPartner({ name: `Listed Partner ${i}` });
    await createBusiness({ name: `Listed Business ${i}` });
    await testDb()
      .db.insertInto("audit_log")
      .values({ action: `test.listed${i}` })
      .execute();
  }
});

describe("NUL bytes in form fields", () => {
  test("sign-up: a field error, nothing written", async () => {
    const before = await countRows(["users", "businesses"]);
    const result = await callRoute<FormFailureBody>(signupAction, {
      request: formRequest("/signup", {
        businessName: "Corner\u0000Coffee",
        name: "Cora",
        email: "nul-byte@example.test",
        password: "long-enough-password",
      }),
    });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual({ businessName: { key: "validation.invalid" } });
    expect(await countRows(["users", "businesses"])).toEqual(before);
  });

  test("account: a field error, the name unchanged", async () => {
    const result = await callRoute<FormFailureBody>(accountAction, {
      request: formRequest("/account", { name: "A\u0000B", locale: "auto" }, { cookie: someone }),
    });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual({ name: { key: "validation.invalid" } });
  });

  test("sign-in: a field error, not a 500", async () => {
    const result = await callRoute<FormFailureBody>(loginAction, {
      request: formRequest("/login", { email: "a@example.test", password: "x\u0000y" }),
    });
    expect(result.status).toBe(400);
  });
});

describe("a partner slug that cannot exist", () => {
  test.each(["\u0000", "abc\u0000", "UPPER", "-leading-dash", "a", "x".repeat(49)])(
    "%j → 404",
    async (slug) => {
      const result = await callRoute(partnerDashboardLoader, {
        request: getRequest("/partner/x", { cookie: someone }),
        params: { slug },
      });
      expect(result).toMatchObject({ thrown: true, status: 404 });
    },
  );
});

describe("support lists with forged paging parameters", () => {
  const forgedCursors = [
    ["name", "not-a-uuid"],
    [1, 2],
    [{}, []],
    [null, null],
    ["name\u0000", "00000000-0000-4000-8000-000000000000"],
    ["only-one"],
  ].map((key) => forgeCursor(key));

  test.each([
    ["/support/partners", supportPartnersLoader],
    ["/support/businesses", supportBusinessesLoader],
    ["/support/audit", supportAuditLoader],
    ["/support/statements", supportStatementsLoader],
  ] as const)("%s: a forged cursor shows the first page", async (path, loader) => {
    const first = await callRoute(loader, { request: getRequest(path, { cookie: support }) });
    expect(first.status).toBe(200);
    for (const cursor of [...forgedCursors, "%%%", "a".repeat(600)]) {
      const result = await callRoute(loader, {
        request: getRequest(`${path}?cursor=${encodeURIComponent(cursor)}`, { cookie: support }),
      });
      expect(result.status, cursor).toBe(200);
      expect((result.body as { rows: unknown[] }).rows).toEqual(
        (first.body as { rows: unknown[] }).rows,
      );
    }
  });

  test.each(["99999999999999999999", "1e21", "-1", "0", "1.5", "abc", "Infinity"])(
    "/support/audit?before=%s shows the first page",
    async (before) => {
      const first = await callRoute(supportAuditLoader, {
        request: getRequest("/support/audit", { cookie: support }),
      });
      const result = await callRoute(supportAuditLoader, {
        request: getRequest(`/support/audit?before=${before}`, { cookie: support }),
      });
      expect(result.status).toBe(200);
      expect(result.body).toEqual(first.body);
    },
  );
});
