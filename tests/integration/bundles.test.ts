// Bundles (DESIGN.md §4, §5): creating with every field validated, prices from the price
// list in effect and the partner's discount, duplicating, archiving (audited, idempotent),
// keyset paging, and tenancy — another partner's bundle is a 404 like a missing one.
import { sql } from "kysely";
import { beforeAll, describe, expect, test } from "vitest";
import {
  archiveBundle,
  BundleArchived,
  BundleFormSchema,
  BundleInputSchema,
  BundleNotFound,
  createBundle,
  getBundle,
  getCurrentPrices,
  listBundles,
  type BundleInput,
} from "~/domain/bundles.server";
import { generateCode } from "~/lib/activation-code";
import { fieldErrorOf, parseObject, type FieldError } from "~/lib/forms";
import {
  action as detailAction,
  loader as detailLoader,
} from "~/routes/_app.partner.$slug.bundles.$bundleId._index";
import { loader as listLoader } from "~/routes/_app.partner.$slug.bundles._index";
import { action as newAction, loader as newLoader } from "~/routes/_app.partner.$slug.bundles.new";
import { testDb } from "../db.ts";
import {
  addPartnerMember,
  createBatchWithCodes,
  createBundle as insertBundle,
  createPartner,
  createPartnerWithOwner,
  createUser,
} from "../factories.ts";
import { auditRows, countRows, signInAs } from "../helpers/auth.ts";
import {
  callRoute,
  findSetCookie,
  formRequest,
  getRequest,
  type FormFailureBody,
} from "../helpers/remix.ts";
import { at, get } from "../helpers/rows.ts";
import { stringMatching } from "../helpers/typed.ts";

const MISSING_UUID = "00000000-0000-4000-8000-000000000000";
const MALFORMED_IDS = ["not-a-uuid", "\u0000", "12345", `${MISSING_UUID}x`, "' or 1=1 --"];

type Partner = Awaited<ReturnType<typeof createPartner>>;
type Owner = Awaited<ReturnType<typeof createUser>>;

let partnerA: Partner;
let partnerB: Partner;
let ownerA: Owner;
let memberA: Owner;
/** Cookies: owner and plain member of A, owner of B, a user of no partner. */
let ownerACookie: string;
let memberACookie: string;
let ownerBCookie: string;
let strangerCookie: string;

const actorOf = (user: Owner) => ({ userId: user.id, label: user.email });

const cafeStarter: BundleInput = {
  name: "Café Starter",
  staffSeats: 2,
  cardOperations: 1000,
  termMonths: 12,
  codeValidityDays: 365,
  resalePriceCents: null,
};

/** A complete, valid form as the browser posts it. */
const validForm = {
  name: "Café Starter",
  staffSeats: "2",
  cardOperations: "1000",
  termMonths: "12",
  codeValidityDays: "365",
  resalePrice: "",
};

const written = async () => {
  const counts = await countRows(["bundles", "audit_log"]);
  return {
    bundles: get(counts, "bundles", "bundles count"),
    audit_log: get(counts, "audit_log", "audit_log count"),
  };
};

beforeAll(async () => {
  ({ partner: partnerA, owner: ownerA } = await createPartnerWithOwner({ discountBps: 3000 }));
  memberA = await createUser();
  await addPartnerMember(partnerA.id, memberA.id, "member");
  const { partner, owner: ownerB } = await createPartnerWithOwner({ discountBps: 2000 });
  partnerB = partner;
  ownerACookie = (await signInAs(ownerA)).cookie;
  memberACookie = (await signInAs(memberA)).cookie;
  ownerBCookie = (await signInAs(ownerB)).cookie;
  strangerCookie = (await signInAs(await createUser())).cookie;
});

function newBundlePost(slug: string, fields: Record<string, string>, cookie: string, query = "") {
  return callRoute<FormFailureBody>(newAction, {
    request: formRequest(`/partner/${slug}/bundles/new${query}`, fields, { cookie }),
    params: { slug },
  });
}

function archivePost(slug: string, bundleId: string, cookie: string, intent = "archive") {
  return callRoute<FormFailureBody>(detailAction, {
    request: formRequest(
      `/partner/${slug}/bundles/${encodeURIComponent(bundleId)}`,
      { intent },
      { cookie },
    ),
    params: { slug, bundleId },
  });
}

function detailGet(slug: string, bundleId: string, cookie: string) {
  return callRoute<Awaited<ReturnType<typeof detailLoader>>>(detailLoader, {
    request: getRequest(`/partner/${slug}/bundles/${encodeURIComponent(bundleId)}`, { cookie }),
    params: { slug, bundleId },
  });
}

async function bundleRow(id: string) {
  return testDb()
    .db.selectFrom("bundles")
    .select(["partner_id", "status", "archived_at", "duplicated_from", "created_by"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

describe("prices", () => {
  test("the price list row in effect now: not a future one, the newest past one", async () => {
    const { db } = testDb();
    expect(await getCurrentPrices(db, new Date())).toEqual({
      staffSeatMonthCents: 2900,
      cardOperationCents: 5,
    });
    const future = await db
      .insertInto("price_list")
      .values({
        effective_from: new Date(Date.now() + 86_400_000),
        staff_seat_month_cents: 9999,
        card_operation_cents: 99,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    expect(await getCurrentPrices(db, new Date())).toEqual({
      staffSeatMonthCents: 2900,
      cardOperationCents: 5,
    });
    const past = await db
      .insertInto("price_list")
      .values({
        effective_from: new Date(Date.now() - 60_000),
        staff_seat_month_cents: 3100,
        card_operation_cents: 6,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    try {
      expect(await getCurrentPrices(db, new Date())).toEqual({
        staffSeatMonthCents: 3100,
        cardOperationCents: 6,
      });
    } finally {
      await db.deleteFrom("price_list").where("id", "in", [future.id, past.id]).execute();
    }
  });

  test("Café Starter at 30%: €746.00 retail, €522.20 wholesale; margin from the resale price", async () => {
    const bundle = await createBundle(testDb().db, {
      partnerId: partnerA.id,
      input: { ...cafeStarter, resalePriceCents: 69_000 },
      actor: actorOf(ownerA),
      now: new Date(),
    });
    expect(bundle.price).toEqual({
      retailCents: 74_600,
      discountCents: 22_380,
      wholesaleCents: 52_220,
      marginCents: 16_780,
    });
    // Partner B's discount is 20%: the same contents cost B more.
    const forB = await createBundle(testDb().db, {
      partnerId: partnerB.id,
      input: cafeStarter,
      actor: { userId: null, label: "test" },
      now: new Date(),
    });
    expect(forB.price).toEqual({
      retailCents: 74_600,
      discountCents: 14_920,
      wholesaleCents: 59_680,
      marginCents: null,
    });
  });

  test("the new-bundle page gets the price list and the discount for its live panel", async () => {
    const result = await callRoute<Awaited<ReturnType<typeof newLoader>>>(newLoader, {
      request: getRequest(`/partner/${partnerA.slug}/bundles/new`, { cookie: ownerACookie }),
      params: { slug: partnerA.slug },
    });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      prices: { staffSeatMonthCents: 2900, cardOperationCents: 5 },
      discountBps: 3000,
      source: null,
    });
  });
});

describe("creating a bundle", () => {
  test("a valid form creates it, audits it and redirects to it with a flash", async () => {
    const before = await written();
    const result = await newBundlePost(
      partnerA.slug,
      { ...validForm, name: "  Created Through The Form  ", resalePrice: "690,00" },
      memberACookie,
    );
    expect(result.status).toBe(302);
    const match = /^\/partner\/[a-z0-9-]+\/bundles\/([0-9a-f-]{36})$/.exec(result.location ?? "");
    expect(match).not.toBeNull();
    expect(findSetCookie(result.setCookies, "7s_flash")).toBeDefined();
    const bundle = await getBundle(testDb().db, {
      partnerId: partnerA.id,
      bundleId: at(match!, 1, "bundle id in the location"),
      now: new Date(),
    });
    expect(bundle).toMatchObject({
      name: "Created Through The Form",
      staffSeats: 2,
      cardOperations: 1000,
      termMonths: 12,
      codeValidityDays: 365,
      resalePriceCents: 69_000,
      status: "active",
      codeCount: 0,
      duplicatedFrom: null,
      archivedAt: null,
    });
    expect(await written()).toEqual({
      bundles: before.bundles + 1,
      audit_log: before.audit_log + 1,
    });
    const audit = (await auditRows("bundle.created")).at(-1);
    expect(audit).toMatchObject({
      subject_type: "bundle",
      subject_id: bundle!.id,
      partner_id: partnerA.id,
      actor_label: stringMatching("@"),
    });
    expect(audit?.after).toMatchObject({
      name: "Created Through The Form",
      resalePriceCents: 69_000,
    });
  });

  test.each([
    ["12.50", 1250],
    ["12,50", 1250],
    ["12,5", 1250],
    ["€ 1 200", 120_000],
    ["0", 0],
    ["", null],
  ])("resale price %j is stored as %j cents", async (resalePrice, cents) => {
    const result = await newBundlePost(partnerA.slug, { ...validForm, resalePrice }, ownerACookie);
    expect(result.status).toBe(302);
    const id = result.location!.split("/").at(-1)!;
    expect(
      (await getBundle(testDb().db, { partnerId: partnerA.id, bundleId: id, now: new Date() }))
        ?.resalePriceCents,
    ).toBe(cents);
  });

  test("quantities may be typed with digit groups; an empty validity means 365 days", async () => {
    const result = await newBundlePost(
      partnerA.slug,
      { ...validForm, cardOperations: "10,000,000", staffSeats: "0", codeValidityDays: "" },
      ownerACookie,
    );
    expect(result.status).toBe(302);
    const id = result.location!.split("/").at(-1)!;
    expect(
      await getBundle(testDb().db, { partnerId: partnerA.id, bundleId: id, now: new Date() }),
    ).toMatchObject({
      staffSeats: 0,
      cardOperations: 10_000_000,
      codeValidityDays: 365,
      price: { retailCents: 50_000_000 },
    });
  });

  const invalid: [string, Record<string, string>, string, { key: string; values?: object }][] = [
    ["name", { name: "" }, "name", { key: "validation.required" }],
    ["name", { name: "   " }, "name", { key: "validation.required" }],
    [
      "name",
      { name: "x".repeat(81) },
      "name",
      { key: "validation.tooLong", values: { limit: 80 } },
    ],
    ["name", { name: "Bad\u0000Name" }, "name", { key: "validation.invalid" }],
    ["staffSeats", { staffSeats: "" }, "staffSeats", { key: "validation.required" }],
    ["staffSeats", { staffSeats: "abc" }, "staffSeats", { key: "bundles:validation.wholeNumber" }],
    ["staffSeats", { staffSeats: "1.5" }, "staffSeats", { key: "bundles:validation.wholeNumber" }],
    ["staffSeats", { staffSeats: "1e3" }, "staffSeats", { key: "bundles:validation.wholeNumber" }],
    [
      "staffSeats",
      { staffSeats: "-1" },
      "staffSeats",
      { key: "bundles:validation.atLeast", values: { limit: 0 } },
    ],
    [
      "staffSeats",
      { staffSeats: "1001" },
      "staffSeats",
      { key: "bundles:validation.atMost", values: { limit: 1000 } },
    ],
    [
      "staffSeats",
      { staffSeats: "99999999999999999999999" },
      "staffSeats",
      { key: "bundles:validation.atMost", values: { limit: 1000 } },
    ],
    [
      "cardOperations",
      { cardOperations: "-5" },
      "cardOperations",
      { key: "bundles:validation.atLeast", values: { limit: 0 } },
    ],
    [
      "cardOperations",
      { cardOperations: "10000001" },
      "cardOperations",
      { key: "bundles:validation.atMost", values: { limit: 10_000_000 } },
    ],
    [
      "cardOperations",
      { cardOperations: "many" },
      "cardOperations",
      { key: "bundles:validation.wholeNumber" },
    ],
    [
      "termMonths",
      { termMonths: "0" },
      "termMonths",
      { key: "bundles:validation.atLeast", values: { limit: 1 } },
    ],
    [
      "termMonths",
      { termMonths: "37" },
      "termMonths",
      { key: "bundles:validation.atMost", values: { limit: 36 } },
    ],
    [
      "termMonths",
      { termMonths: "-12" },
      "termMonths",
      { key: "bundles:validation.atLeast", values: { limit: 1 } },
    ],
    [
      "termMonths",
      { termMonths: "twelve" },
      "termMonths",
      { key: "bundles:validation.wholeNumber" },
    ],
    [
      "codeValidityDays",
      { codeValidityDays: "0" },
      "codeValidityDays",
      { key: "bundles:validation.atLeast", values: { limit: 1 } },
    ],
    [
      "codeValidityDays",
      { codeValidityDays: "3651" },
      "codeValidityDays",
      { key: "bundles:validation.atMost", values: { limit: 3650 } },
    ],
    [
      "codeValidityDays",
      { codeValidityDays: "1y" },
      "codeValidityDays",
      { key: "bundles:validation.wholeNumber" },
    ],
    [
      "resalePrice",
      { resalePrice: "12.345" },
      "resalePrice",
      { key: "bundles:validation.priceFormat" },
    ],
    [
      "resalePrice",
      { resalePrice: "1,234.50" },
      "resalePrice",
      { key: "bundles:validation.priceFormat" },
    ],
    [
      "resalePrice",
      { resalePrice: "abc" },
      "resalePrice",
      { key: "bundles:validation.priceFormat" },
    ],
    [
      "resalePrice",
      { resalePrice: "-5" },
      "resalePrice",
      { key: "bundles:validation.negativePrice" },
    ],
    [
      "resalePrice",
      { resalePrice: "1000000000.01" },
      "resalePrice",
      { key: "bundles:validation.priceTooBig" },
    ],
    [
      "both quantities",
      { staffSeats: "0", cardOperations: "0" },
      "staffSeats",
      { key: "bundles:validation.emptyBundle" },
    ],
  ];

  test.each(invalid)(
    "bad %s %j: 400 naming the field, values kept, nothing written",
    async (_what, change, field, error) => {
      const before = await written();
      const fields = { ...validForm, ...change };
      const result = await newBundlePost(partnerA.slug, fields, memberACookie);
      expect(result.status).toBe(400);
      expect(result.body.errors).toEqual({ [field]: error });
      expect(result.body.values).toEqual(fields);
      expect(await written()).toEqual(before);
    },
  );

  test("an empty form names every required field", async () => {
    const before = await written();
    const result = await newBundlePost(partnerA.slug, {}, ownerACookie);
    expect(result.status).toBe(400);
    expect(Object.keys(result.body.errors).sort()).toEqual(
      ["cardOperations", "name", "staffSeats", "termMonths"].sort(),
    );
    expect(await written()).toEqual(before);
  });

  test("the API schema takes JSON numbers and snake_case, with the same rules", () => {
    const ok = parseObject(BundleInputSchema, {
      name: "POS Pro",
      staff_seats: 5,
      card_operations: 20_000,
      term_months: 12,
    });
    expect(ok.success && ok.data).toEqual({
      name: "POS Pro",
      staffSeats: 5,
      cardOperations: 20_000,
      termMonths: 12,
      codeValidityDays: 365,
      resalePriceCents: null,
    });
    const cases: [object, string, FieldError][] = [
      [
        { staff_seats: 0, card_operations: 0 },
        "staff_seats",
        { key: "bundles:validation.emptyBundle" },
      ],
      [{ staff_seats: 1.5 }, "staff_seats", { key: "bundles:validation.wholeNumber" }],
      [{ staff_seats: "5" }, "staff_seats", { key: "validation.invalid" }],
      [
        { card_operations: 10_000_001 },
        "card_operations",
        { key: "bundles:validation.atMost", values: { limit: 10_000_000 } },
      ],
      [
        { term_months: 0 },
        "term_months",
        { key: "bundles:validation.atLeast", values: { limit: 1 } },
      ],
      [
        { resale_price_cents: -1 },
        "resale_price_cents",
        { key: "bundles:validation.atLeast", values: { limit: 0 } },
      ],
      [{ name: "" }, "name", { key: "validation.required" }],
    ];
    for (const [change, path, fieldError] of cases) {
      const parsed = parseObject(BundleInputSchema, {
        name: "X",
        staff_seats: 1,
        card_operations: 1,
        term_months: 1,
        ...change,
      });
      expect(parsed.success).toBe(false);
      const issue = parsed.error?.issues[0];
      expect(issue?.path).toEqual([path]);
      expect(issue && fieldErrorOf(issue)).toEqual(fieldError);
    }
  });

  test("the form schema and the API schema parse to the same input", () => {
    const form = parseObject(BundleFormSchema, { ...validForm, resalePrice: "12.50" });
    const api = parseObject(BundleInputSchema, {
      name: "Café Starter",
      staff_seats: 2,
      card_operations: 1000,
      term_months: 12,
      resale_price_cents: 1250,
    });
    expect(form.success && form.data).toEqual(api.success && api.data);
  });
});

describe("duplicating", () => {
  test("?from= prefills the form from the bundle, which stays as it is", async () => {
    const source = await createBundle(testDb().db, {
      partnerId: partnerA.id,
      input: {
        ...cafeStarter,
        name: "To Duplicate",
        resalePriceCents: 45_050,
        codeValidityDays: 90,
      },
      actor: actorOf(ownerA),
      now: new Date(),
    });
    const page = await callRoute<Awaited<ReturnType<typeof newLoader>>>(newLoader, {
      request: getRequest(`/partner/${partnerA.slug}/bundles/new?from=${source.id}`, {
        cookie: memberACookie,
      }),
      params: { slug: partnerA.slug },
    });
    expect(page.body.source).toEqual({
      id: source.id,
      name: "To Duplicate",
      staffSeats: "2",
      cardOperations: "1000",
      termMonths: "12",
      codeValidityDays: "90",
      resalePrice: "450.50",
    });

    const result = await newBundlePost(
      partnerA.slug,
      { ...validForm, name: "Duplicated", staffSeats: "3", resalePrice: "450.50" },
      memberACookie,
      `?from=${source.id}`,
    );
    expect(result.status).toBe(302);
    const id = result.location!.split("/").at(-1)!;
    expect(
      await getBundle(testDb().db, { partnerId: partnerA.id, bundleId: id, now: new Date() }),
    ).toMatchObject({
      name: "Duplicated",
      staffSeats: 3,
      duplicatedFrom: source.id,
    });
    // The original is untouched.
    expect(
      await getBundle(testDb().db, {
        partnerId: partnerA.id,
        bundleId: source.id,
        now: new Date(),
      }),
    ).toEqual(source);
    const detail = await detailGet(partnerA.slug, id, memberACookie);
    expect(detail.body.source).toEqual({ id: source.id, name: "To Duplicate" });
  });

  test("duplicating another partner's bundle, a missing or a malformed one: 404, nothing written", async () => {
    const foreign = await insertBundle(partnerB.id);
    for (const from of [foreign.id, MISSING_UUID, ...MALFORMED_IDS]) {
      const query = `?from=${encodeURIComponent(from)}`;
      const page = await callRoute(newLoader, {
        request: getRequest(`/partner/${partnerA.slug}/bundles/new${query}`, {
          cookie: ownerACookie,
        }),
        params: { slug: partnerA.slug },
      });
      expect(page).toMatchObject({ thrown: true, status: 404 });
      const before = await written();
      const result = await newBundlePost(partnerA.slug, validForm, ownerACookie, query);
      expect(result).toMatchObject({ thrown: true, status: 404 });
      expect(await written()).toEqual(before);
    }
    await expect(
      createBundle(testDb().db, {
        partnerId: partnerA.id,
        input: cafeStarter,
        actor: actorOf(ownerA),
        duplicatedFrom: foreign.id,
        now: new Date(),
      }),
    ).rejects.toBeInstanceOf(BundleNotFound);
  });
});

describe("archiving", () => {
  test("a member archives a bundle: audited, then archiving again changes nothing", async () => {
    const bundle = await insertBundle(partnerA.id);
    const before = await written();
    const result = await archivePost(partnerA.slug, bundle.id, memberACookie);
    expect(result.status).toBe(302);
    expect(result.location).toBe(`/partner/${partnerA.slug}/bundles/${bundle.id}`);
    expect(findSetCookie(result.setCookies, "7s_flash")).toBeDefined();
    const row = await bundleRow(bundle.id);
    expect(row.status).toBe("archived");
    expect(row.archived_at).toBeInstanceOf(Date);
    expect(await written()).toEqual({ ...before, audit_log: before.audit_log + 1 });
    expect((await auditRows("bundle.archived")).at(-1)).toMatchObject({
      subject_type: "bundle",
      subject_id: bundle.id,
      partner_id: partnerA.id,
    });

    const again = await archivePost(partnerA.slug, bundle.id, ownerACookie);
    expect(again.status).toBe(302);
    const domainAgain = await archiveBundle(testDb().db, {
      partnerId: partnerA.id,
      bundleId: bundle.id,
      actor: actorOf(ownerA),
      now: new Date(),
    });
    expect(domainAgain).toMatchObject({ status: "archived", archivedAt: row.archived_at });
    expect(await written()).toEqual({ ...before, audit_log: before.audit_log + 1 });

    const page = await detailGet(partnerA.slug, bundle.id, ownerACookie);
    expect(page.body.bundle).toMatchObject({ status: "archived" });
  });

  test("archiving another partner's, a missing or a malformed bundle: 404, nothing changes", async () => {
    const foreign = await insertBundle(partnerB.id);
    const before = await written();
    for (const id of [foreign.id, MISSING_UUID, ...MALFORMED_IDS]) {
      expect(await archivePost(partnerA.slug, id, ownerACookie)).toMatchObject({
        thrown: true,
        status: 404,
      });
      await expect(
        archiveBundle(testDb().db, {
          partnerId: partnerA.id,
          bundleId: id,
          actor: actorOf(ownerA),
          now: new Date(),
        }),
      ).rejects.toBeInstanceOf(BundleNotFound);
    }
    expect((await bundleRow(foreign.id)).status).toBe("active");
    expect(await written()).toEqual(before);
  });

  test("an unknown intent is a 400, not an archive", async () => {
    const bundle = await insertBundle(partnerA.id);
    const result = await archivePost(partnerA.slug, bundle.id, ownerACookie, "delete");
    expect(result.status).toBe(400);
    expect(result.body.errors.intent).toBeDefined();
    expect((await bundleRow(bundle.id)).status).toBe("active");
  });

  test("the typed errors carry their codes", () => {
    expect(new BundleNotFound()).toMatchObject({ code: "not_found", status: 404, field: "bundle" });
    expect(new BundleArchived()).toMatchObject({
      code: "bundle_archived",
      status: 400,
      field: "bundle",
    });
  });
});

describe("listing", () => {
  test("newest first, keyset paged without gaps or repeats, active and archived apart", async () => {
    const { partner, owner } = await createPartnerWithOwner();
    const { db } = testDb();
    const made: string[] = [];
    for (let i = 0; i < 23; i++) {
      const bundle = await createBundle(db, {
        partnerId: partner.id,
        input: { ...cafeStarter, name: `Bundle ${i}` },
        actor: actorOf(owner),
        now: new Date(),
      });
      made.push(bundle.id);
    }
    // Rows sharing a timestamp, and ones a microsecond apart, which a JS Date cannot tell
    // apart: the cursor must still neither skip nor repeat any.
    const shared = await db
      .insertInto("bundles")
      .values(
        [900, 900, 800, 700, 1].map((micro, i) => ({
          partner_id: partner.id,
          name: `Same time ${i}`,
          staff_seats: 1,
          card_operations: 0,
          term_months: 1,
          created_at: sql<Date>`'2026-06-01 12:00:00.123'::timestamptz + make_interval(secs => ${micro} / 1000000.0)`,
        })),
      )
      .returning("id")
      .execute();
    await archiveBundle(db, {
      partnerId: partner.id,
      bundleId: at(made, 5, "bundle"),
      actor: actorOf(owner),
      now: new Date(),
    });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof listBundles>> = await listBundles(db, {
        partnerId: partner.id,
        cursor,
        limit: 4,
        now: new Date(),
      });
      expect(page.rows.length).toBeLessThanOrEqual(4);
      seen.push(...page.rows.map((row) => row.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    const active = [...made.filter((id) => id !== made[5])].reverse();
    expect(seen.slice(0, active.length)).toEqual(active);
    expect(new Set(seen)).toEqual(new Set([...active, ...shared.map((r) => r.id)]));
    expect(seen).toHaveLength(active.length + shared.length);

    const archived = await listBundles(db, {
      partnerId: partner.id,
      status: "archived",
      now: new Date(),
    });
    expect(archived.rows.map((row) => row.id)).toEqual([made[5]]);
    const all = await listBundles(db, {
      partnerId: partner.id,
      status: "all",
      limit: 100,
      now: new Date(),
    });
    expect(all.rows).toHaveLength(28);
    expect(all.nextCursor).toBeNull();
  });

  test("the code count: every batch's generated codes, a half-made batch's so far", async () => {
    const { partner } = await createPartnerWithOwner();
    const bundle = await insertBundle(partner.id);
    const other = await insertBundle(partner.id);
    await createBatchWithCodes(bundle, { count: 3 });
    await createBatchWithCodes(bundle, { count: 2 });
    await createBatchWithCodes(other, { count: 4 });
    // A batch still generating, two of its ten codes made so far: the generator writes the
    // codes and the progress in one transaction.
    const { batch } = await createBatchWithCodes(bundle, { count: 10, status: "generating" });
    await testDb()
      .db.updateTable("code_batches")
      .set({ generated_count: 2 })
      .where("id", "=", batch.id)
      .execute();
    await testDb()
      .db.insertInto("activation_codes")
      .values(
        [generateCode(), generateCode()].map((code) => ({
          code,
          partner_id: partner.id,
          bundle_id: bundle.id,
          batch_id: batch.id,
          expires_at: batch.expires_at,
        })),
      )
      .execute();
    const { rows } = await listBundles(testDb().db, { partnerId: partner.id, now: new Date() });
    const counts = Object.fromEntries(rows.map((row) => [row.id, row.codeCount]));
    expect(counts).toEqual({ [bundle.id]: 7, [other.id]: 4 });
    expect(
      (
        await getBundle(testDb().db, {
          partnerId: partner.id,
          bundleId: bundle.id,
          now: new Date(),
        })
      )?.codeCount,
    ).toBe(7);
  });

  test("the page: active by default, archived on request, forged parameters fall back", async () => {
    const { partner, owner } = await createPartnerWithOwner();
    const cookie = (await signInAs(owner)).cookie;
    const active = await insertBundle(partner.id, { name: "Listed Active" });
    const archived = await insertBundle(partner.id, {
      name: "Listed Archived",
      status: "archived",
    });
    const list = (query: string) =>
      callRoute<Awaited<ReturnType<typeof listLoader>>>(listLoader, {
        request: getRequest(`/partner/${partner.slug}/bundles${query}`, { cookie }),
        params: { slug: partner.slug },
      });
    expect((await list("")).body.rows.map((r) => r.id)).toEqual([active.id]);
    expect((await list("?status=archived")).body.rows.map((r) => r.id)).toEqual([archived.id]);
    for (const query of [
      "?status=bogus",
      "?cursor=%00",
      "?cursor=not-base64!",
      "?status=all&cursor=WyJ4IiwieSJd",
    ]) {
      const result = await list(query);
      expect(result.status).toBe(200);
      expect(result.body.rows.map((r) => r.id)).toEqual([active.id]);
    }
  });
});

describe("tenancy and roles", () => {
  let bundleA: string;
  let bundleB: string;

  beforeAll(async () => {
    bundleA = (await insertBundle(partnerA.id, { name: "Only A" })).id;
    bundleB = (await insertBundle(partnerB.id, { name: "Only B" })).id;
  });

  test("partner A's user gets 404 for partner B's bundle, a missing or a malformed id", async () => {
    for (const id of [bundleB, MISSING_UUID, ...MALFORMED_IDS]) {
      expect(await detailGet(partnerA.slug, id, ownerACookie)).toMatchObject({
        thrown: true,
        status: 404,
      });
    }
    expect(
      await getBundle(testDb().db, { partnerId: partnerA.id, bundleId: bundleB, now: new Date() }),
    ).toBeNull();
    expect((await detailGet(partnerB.slug, bundleB, ownerBCookie)).body.bundle.name).toBe("Only B");
  });

  test("partner A's list never shows B's bundles", async () => {
    const { rows } = await listBundles(testDb().db, {
      partnerId: partnerA.id,
      status: "all",
      limit: 100,
      now: new Date(),
    });
    expect(rows.map((r) => r.id)).toContain(bundleA);
    expect(rows.map((r) => r.id)).not.toContain(bundleB);
    expect(rows.every((r) => r.partnerId === partnerA.id)).toBe(true);
  });

  test("A's owner using B's slug: 404 on every page and action, nothing written", async () => {
    const before = await written();
    const slug = partnerB.slug;
    const results = [
      await callRoute(listLoader, {
        request: getRequest(`/partner/${slug}/bundles`, { cookie: ownerACookie }),
        params: { slug },
      }),
      await callRoute(newLoader, {
        request: getRequest(`/partner/${slug}/bundles/new`, { cookie: ownerACookie }),
        params: { slug },
      }),
      await newBundlePost(slug, validForm, ownerACookie),
      await detailGet(slug, bundleB, ownerACookie),
      await archivePost(slug, bundleB, ownerACookie),
    ];
    for (const result of results) expect(result).toMatchObject({ thrown: true, status: 404 });
    expect(await written()).toEqual(before);
    expect((await bundleRow(bundleB)).status).toBe("active");
  });

  test("a user of no partner: 404; nobody signed in: to the login page", async () => {
    const slug = partnerA.slug;
    expect(await detailGet(slug, bundleA, strangerCookie)).toMatchObject({
      thrown: true,
      status: 404,
    });
    expect(await newBundlePost(slug, validForm, strangerCookie)).toMatchObject({
      thrown: true,
      status: 404,
    });
    expect(await archivePost(slug, bundleA, strangerCookie)).toMatchObject({
      thrown: true,
      status: 404,
    });
    const anonymous = await callRoute(listLoader, {
      request: getRequest(`/partner/${slug}/bundles`),
      params: { slug },
    });
    expect(anonymous).toMatchObject({ thrown: true, status: 302 });
    expect(anonymous.location).toMatch(/^\/login\?redirectTo=/);
    expect((await bundleRow(bundleA)).status).toBe("active");
  });

  test("a plain member creates and archives bundles; the created row names its author", async () => {
    const created = await newBundlePost(
      partnerA.slug,
      { ...validForm, name: "By A Member" },
      memberACookie,
    );
    expect(created.status).toBe(302);
    const id = created.location!.split("/").at(-1)!;
    expect((await bundleRow(id)).created_by).toBe(memberA.id);
    expect((await archivePost(partnerA.slug, id, memberACookie)).status).toBe(302);
    expect((await bundleRow(id)).status).toBe("archived");
  });
});
