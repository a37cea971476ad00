// The codes pages (list, code page and its actions, CSV) as Remix calls them: tenancy on
// every page, action and export, field errors that write nothing, redirects with a flash.
import type { Selectable } from "kysely";
import { beforeAll, beforeEach, describe, expect, test } from "vitest";
import { testOutbox } from "~/email/mailer.server";
import { formatCode } from "~/lib/activation-code";
import { loader as listLoader } from "~/routes/_app.partner.$slug.codes._index";
import {
  action as codeAction,
  loader as codeLoader,
} from "~/routes/_app.partner.$slug.codes.$serial";
import { loader as csvLoader } from "~/routes/_app.partner.$slug.codes[.]csv";
import type { ActivationCodes, Partners } from "~db/schema.ts";
import { testDb } from "../db.ts";
import {
  addPartnerMember,
  claimByNewBusiness,
  createBatchWithCodes,
  createBundle,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { auditRows, countRows, signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest, type FormFailureBody } from "../helpers/remix.ts";
import { at, first } from "../helpers/rows.ts";

type Code = Selectable<ActivationCodes>;

interface ListBody {
  rows: { serial: number; display: string }[];
  nextCursor: string | null;
  hasCodes: boolean;
  errors: Record<string, { key: string }>;
  values: Record<string, string>;
}

let partnerA: Selectable<Partners>;
let partnerB: Selectable<Partners>;
let ownerA: string;
let memberA: string;
let ownerB: string;
let codesA: Code[];
let codesB: Code[];
let batchA: string;

beforeAll(async () => {
  const a = await createPartnerWithOwner({ name: "Brewline Agency" });
  const b = await createPartnerWithOwner();
  partnerA = a.partner;
  partnerB = b.partner;
  ownerA = (await signInAs(a.owner)).cookie;
  ownerB = (await signInAs(b.owner)).cookie;
  const member = await createUser();
  await addPartnerMember(partnerA.id, member.id, "member");
  memberA = (await signInAs(member)).cookie;
  const created = await createBatchWithCodes(await createBundle(partnerA.id, { name: "Café" }), {
    count: 8,
    prefix: "BREW",
    label: "Launch",
  });
  codesA = created.codes;
  batchA = created.batch.id;
  codesB = (await createBatchWithCodes(await createBundle(partnerB.id), { count: 3 })).codes;
});

beforeEach(() => {
  testOutbox().length = 0;
});

function list(slug: string, query: string, cookie: string) {
  return callRoute<ListBody>(listLoader, {
    request: getRequest(`/partner/${slug}/codes${query}`, { cookie }),
    params: { slug },
  });
}

function codePage(slug: string, serial: string | number, cookie: string) {
  return callRoute<{
    code: { serial: number; status: string };
    history: unknown[];
    redeemUrl: string;
  }>(codeLoader, {
    request: getRequest(`/partner/${slug}/codes/${serial}`, { cookie }),
    params: { slug, serial: String(serial) },
  });
}

function post(
  slug: string,
  serial: string | number,
  fields: Record<string, string>,
  cookie: string,
) {
  return callRoute<FormFailureBody>(codeAction, {
    request: formRequest(`/partner/${slug}/codes/${serial}`, fields, { cookie }),
    params: { slug, serial: String(serial) },
  });
}

function csv(slug: string, query: string, cookie: string) {
  return callRoute<string>(csvLoader, {
    request: getRequest(`/partner/${slug}/codes.csv${query}`, { cookie }),
    params: { slug },
  });
}

async function statusOf(code: Code) {
  const row = await testDb()
    .db.selectFrom("activation_codes")
    .select(["status", "recipient_name", "recipient_email", "emailed_at"])
    .where("id", "=", code.id)
    .executeTakeFirstOrThrow();
  return row;
}

describe("the codes list", () => {
  test("shows the partner's codes with the filter options; members see it too", async () => {
    for (const cookie of [ownerA, memberA]) {
      const result = await list(partnerA.slug, "", cookie);
      expect(result.status).toBe(200);
      expect(result.body.rows.map((r) => r.serial).sort()).toEqual(codesA.map((c) => c.id).sort());
      expect(result.body.hasCodes).toBe(true);
    }
  });

  test("a search in lower case with spaces goes straight to the code's page", async () => {
    const code = at(codesA, 4, "code");
    const typed = formatCode(code.code, "brew").toLowerCase().replace(/-/g, " ");
    const result = await list(partnerA.slug, `?search=${encodeURIComponent(typed)}`, ownerA);
    expect(result).toMatchObject({ thrown: true, status: 302 });
    expect(result.location).toBe(`/partner/${partnerA.slug}/codes/${code.id}`);
    const bySerial = await list(partnerA.slug, `?search=%23${code.id}`, ownerA);
    expect(bySerial.location).toBe(`/partner/${partnerA.slug}/codes/${code.id}`);
  });

  test("a mistyped code, a malformed search, an unknown or foreign code", async () => {
    const code = first(codesA, "code").code;
    const mistyped = code.slice(0, 15) + (code[15] === "0" ? "1" : "0");
    const typo = await list(partnerA.slug, `?search=${mistyped}`, ownerA);
    expect(typo.status).toBe(400);
    expect(typo.body.errors).toEqual({ search: { key: "codes:list.mistyped" } });
    expect(typo.body.values.search).toBe(mistyped);
    // Only the search is refused: the list below still shows the partner's codes.
    expect(typo.body.rows).toHaveLength(codesA.length);
    const malformed = await list(partnerA.slug, "?search=hello", ownerA);
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual({ search: { key: "codes:list.badSearch" } });
    // Partner B's code is "not found" for A, exactly like an unknown one.
    const foreign = await list(partnerA.slug, `?search=${first(codesB, "code").code}`, ownerA);
    expect(foreign).toMatchObject({ thrown: false, status: 200 });
    expect(foreign.body.rows).toEqual([]);
    const foreignSerial = await list(
      partnerA.slug,
      `?search=%23${first(codesB, "code").id}`,
      ownerA,
    );
    expect(foreignSerial.body.rows).toEqual([]);
  });

  test("filters and paging through the query string; bad values are field errors", async () => {
    const filtered = await list(partnerA.slug, `?status=outstanding&batch=${batchA}`, ownerA);
    expect(filtered.status).toBe(200);
    expect(filtered.body.rows).toHaveLength(8);
    for (const [query, field] of [
      ["?status=bogus", "status"],
      ["?handedOut=maybe", "handedOut"],
      [`?recipient=${"x".repeat(121)}`, "recipient"],
      ["?recipient=a%00b", "recipient"],
    ] as const) {
      const result = await list(partnerA.slug, query, ownerA);
      expect(result.status, query).toBe(400);
      expect(Object.keys(result.body.errors), query).toEqual([field]);
    }
    for (const cursor of ["%%%", "x".repeat(600), "WzEuNV0"]) {
      const result = await list(partnerA.slug, `?cursor=${encodeURIComponent(cursor)}`, ownerA);
      expect(result.status).toBe(200);
    }
  });

  test("a partner without codes gets the first empty state; B's slug is 404 for A", async () => {
    const { partner, owner } = await createPartnerWithOwner();
    const cookie = (await signInAs(owner)).cookie;
    const empty = await list(partner.slug, "", cookie);
    expect(empty.body).toMatchObject({ rows: [], hasCodes: false });
    const emptyFiltered = await list(partner.slug, "?status=claimed", cookie);
    expect(emptyFiltered.body).toMatchObject({ rows: [], hasCodes: false });
    const noMatch = await list(partnerA.slug, "?status=claimed", ownerA);
    expect(noMatch.body).toMatchObject({ rows: [], hasCodes: true });
    expect(await list(partnerB.slug, "", ownerA)).toMatchObject({ thrown: true, status: 404 });
  });
});

describe("the code page", () => {
  test("shows the code, its history and its redeem link", async () => {
    const result = await codePage(partnerA.slug, first(codesA, "code").id, memberA);
    expect(result.status).toBe(200);
    expect(result.body.code.serial).toBe(first(codesA, "code").id);
    expect(result.body.history).toHaveLength(1);
    expect(result.body.redeemUrl).toMatch(
      new RegExp(`/redeem/${formatCode(first(codesA, "code").code, "BREW")}$`),
    );
  });

  test("another partner's serial, a missing one or a malformed one: 404", async () => {
    for (const serial of [
      first(codesB, "code").id,
      999_999_999,
      "abc",
      "0",
      "-1",
      "1.5",
      "#1",
      "9".repeat(16),
    ]) {
      const result = await codePage(partnerA.slug, serial, ownerA);
      expect(result, String(serial)).toMatchObject({ thrown: true, status: 404 });
    }
    // The right code under the wrong partner's slug.
    expect(await codePage(partnerB.slug, first(codesA, "code").id, ownerA)).toMatchObject({
      status: 404,
    });
  });

  test("hand out: saved with a flash; lock without email is a field error", async () => {
    const code = at(codesA, 1, "code");
    const locked = await post(
      partnerA.slug,
      code.id,
      { intent: "handOut", name: "Anna", email: "", note: "", lockToEmail: "on" },
      ownerA,
    );
    expect(locked.status).toBe(400);
    expect(locked.body.errors).toEqual({ email: { key: "codes:handOut.lockNeedsEmail" } });
    expect(locked.body.values).toMatchObject({ intent: "handOut", name: "Anna" });
    const badEmail = await post(
      partnerA.slug,
      code.id,
      { intent: "handOut", name: "Anna", email: "anna@", note: "" },
      ownerA,
    );
    expect(badEmail.body.errors).toEqual({ email: { key: "validation.email" } });
    expect((await statusOf(code)).recipient_name).toBeNull();

    const saved = await post(
      partnerA.slug,
      code.id,
      { intent: "handOut", name: "Anna", email: "anna@example.test", note: "", lockToEmail: "on" },
      memberA,
    );
    expect(saved).toMatchObject({
      status: 302,
      location: `/partner/${partnerA.slug}/codes/${code.id}`,
    });
    expect(saved.setCookies.some((c) => c.startsWith("7s_flash="))).toBe(true);
    expect(await statusOf(code)).toMatchObject({
      recipient_name: "Anna",
      recipient_email: "anna@example.test",
    });
  });

  test("email the code: lands in the outbox", async () => {
    const code = at(codesA, 2, "code");
    const refused = await post(partnerA.slug, code.id, { intent: "email" }, ownerA);
    expect(refused.status).toBe(400);
    expect(refused.body.formError).toEqual({
      key: "codes:errors.recipient_email_missing",
      values: {},
    });
    expect(testOutbox()).toHaveLength(0);
    await post(
      partnerA.slug,
      code.id,
      { intent: "handOut", name: "Ben", email: "ben@example.test", note: "" },
      ownerA,
    );
    const sent = await post(partnerA.slug, code.id, { intent: "email" }, ownerA);
    expect(sent.status).toBe(302);
    expect(testOutbox()).toHaveLength(1);
    expect(testOutbox()[0]).toMatchObject({ to: "ben@example.test" });
    expect(first(testOutbox(), "email").text).toContain(formatCode(code.code, "BREW"));
    expect((await auditRows("code.emailed")).at(-1)?.subject_id).toBe(String(code.id));
  });

  test("revoke: a reason is required; then revoked once, and a second time refused", async () => {
    const code = at(codesA, 3, "code");
    const before = await countRows(["audit_log"]);
    const empty = await post(partnerA.slug, code.id, { intent: "revoke", reason: " " }, ownerA);
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual({ reason: { key: "validation.required" } });
    const long = await post(
      partnerA.slug,
      code.id,
      { intent: "revoke", reason: "x".repeat(201) },
      ownerA,
    );
    expect(long.body.errors).toEqual({
      reason: { key: "validation.tooLong", values: { limit: 200 } },
    });
    expect(await countRows(["audit_log"])).toEqual(before);
    expect((await statusOf(code)).status).toBe("issued");

    const done = await post(partnerA.slug, code.id, { intent: "revoke", reason: "Lost" }, ownerA);
    expect(done.status).toBe(302);
    expect((await statusOf(code)).status).toBe("revoked");
    const again = await post(partnerA.slug, code.id, { intent: "revoke", reason: "Again" }, ownerA);
    expect(again.status).toBe(409);
    expect(again.body.formError).toEqual({
      key: "codes:errors.code_not_revocable",
      values: { status: "revoked" },
    });
    // Hand-out and email of a revoked code are refused too.
    const handOut = await post(
      partnerA.slug,
      code.id,
      { intent: "handOut", name: "Z", email: "", note: "" },
      ownerA,
    );
    expect(handOut.status).toBe(409);
    expect(handOut.body.formError?.key).toBe("codes:errors.code_revoked");
  });

  test("an unknown intent is a 400", async () => {
    const result = await post(
      partnerA.slug,
      at(codesA, 5, "code").id,
      { intent: "explode" },
      ownerA,
    );
    expect(result.status).toBe(400);
    expect(result.body.errors).toHaveProperty("intent");
  });

  test("every action on another partner's code is 404 and writes nothing", async () => {
    const foreign = at(codesB, 1, "code");
    const before = await countRows(["audit_log"]);
    const attempts: Record<string, string>[] = [
      { intent: "handOut", name: "Mallory", email: "m@example.test", note: "" },
      { intent: "email" },
      { intent: "revoke", reason: "mine now" },
    ];
    for (const fields of attempts) {
      const viaOwnSlug = await post(partnerA.slug, foreign.id, fields, ownerA);
      expect(viaOwnSlug, fields.intent).toMatchObject({ thrown: true, status: 404 });
      const viaTheirSlug = await post(partnerB.slug, foreign.id, fields, ownerA);
      expect(viaTheirSlug, fields.intent).toMatchObject({ thrown: true, status: 404 });
    }
    expect(await countRows(["audit_log"])).toEqual(before);
    expect(await statusOf(foreign)).toMatchObject({ status: "issued", recipient_name: null });
    expect(testOutbox()).toHaveLength(0);
    // A malformed serial is 404 as well.
    expect(
      await post(partnerA.slug, "x1", { intent: "revoke", reason: "r" }, ownerA),
    ).toMatchObject({
      status: 404,
    });
  });
});

describe("the CSV export", () => {
  test("a text/csv attachment with only the partner's codes", async () => {
    const result = await csv(partnerA.slug, "", ownerA);
    expect(result.status).toBe(200);
    expect(result.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(result.headers.get("Content-Disposition")).toMatch(
      new RegExp(`^attachment; filename="codes-${partnerA.slug}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`),
    );
    const lines = result.body
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toMatch(/^serial,code,status,/);
    expect(lines).toHaveLength(codesA.length + 1);
    for (const code of codesB) expect(result.body).not.toContain(code.code);
    for (const code of codesA) expect(result.body).toContain(code.code.slice(0, 4));
  });

  test("follows the filter; B's codes never, even by search", async () => {
    const revoked = await csv(partnerA.slug, "?status=revoked", ownerA);
    expect(revoked.body.trim().split("\r\n")).toHaveLength(2);
    const foreign = await csv(partnerA.slug, `?search=${first(codesB, "code").code}`, ownerA);
    expect(foreign.status).toBe(200);
    expect(foreign.body.trim().split("\r\n")).toHaveLength(1);
    const bad = await csv(partnerA.slug, "?search=hello", ownerA);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/search/);
    expect((await csv(partnerA.slug, "?status=nope", ownerA)).status).toBe(400);
  });

  test("another partner's slug is 404; signed out goes to sign-in", async () => {
    expect(await csv(partnerB.slug, "", ownerA)).toMatchObject({ thrown: true, status: 404 });
    expect((await csv(partnerB.slug, "", ownerB)).status).toBe(200);
    const signedOut = await callRoute(csvLoader, {
      request: getRequest(`/partner/${partnerA.slug}/codes.csv`),
      params: { slug: partnerA.slug },
    });
    expect(signedOut).toMatchObject({ thrown: true, status: 302 });
    expect(signedOut.location).toMatch(/^\/login/);
  });
});

describe("a claimed code shows who claimed it and when", () => {
  test("the code page names the business (linking its client page) and the history has the claim", async () => {
    const code = at(codesA, 7, "code");
    const { business } = await claimByNewBusiness(code);
    const page = await callRoute<{
      code: { claimedAt: string | null; claimedBy: { businessId: string; name: string } | null };
      history: { action: string; details: Record<string, unknown> }[];
    }>(codeLoader, {
      request: getRequest(`/partner/${partnerA.slug}/codes/${code.id}`, { cookie: ownerA }),
      params: { slug: partnerA.slug, serial: String(code.id) },
    });
    expect(page.status).toBe(200);
    expect(page.body.code.claimedBy).toEqual({ businessId: business.id, name: business.name });
    expect(page.body.code.claimedAt).not.toBeNull();
    const claim = page.body.history.find((entry) => entry.action === "code.claimed");
    expect(claim?.details.business).toBe(business.name);

    const exported = await csv(partnerA.slug, `?search=%23${code.id}`, ownerA);
    const exportedLines = exported.body.trim().split("\r\n");
    const header = at(exportedLines, 0, "CSV header");
    const line = at(exportedLines, 1, "CSV line");
    const columns = header.split(",").map((c) => c.replace(/"/g, ""));
    const cells = line.split(",").map((c) => c.replace(/"/g, ""));
    const cell = (name: string) => cells[columns.indexOf(name)];
    expect(cell("claimed_by_business")).toBe(business.name);
    expect(cell("claimed_by_business_id")).toBe(business.id);
    expect(cell("claimed_at")).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});
