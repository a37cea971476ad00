// Code cards in the batch's language (issue 17, ADR 035 amended 2026-12-07): chosen when
// generating (the form's "Card language", the API's `locale`), the partner's language when
// not chosen, stored on the batch; the cards PDF prints in it whoever downloads it, with
// Thai and Cyrillic text through the Noto fonts, the same bytes on every render.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Selectable } from "kysely";
import { beforeAll, describe, expect, test } from "vitest";
import { loader as cardsLoader } from "~/routes/_app.partner.$slug.batches.$batchId.cards[.]pdf";
import {
  action as generateAction,
  loader as generateLoader,
} from "~/routes/_app.partner.$slug.bundles.$bundleId.generate";
import type { Bundles, Partners } from "~db/schema.ts";
import { testDb } from "../db.ts";
import {
  createBundle,
  createPartnerWithOwner,
  createUser,
  addPartnerMember,
} from "../factories.ts";
import { callApi, partnerKey } from "../helpers/api.ts";
import { countRows, signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest, makeContext } from "../helpers/remix.ts";
import { get } from "../helpers/rows.ts";
import { present, problemOf, type Batch, type GeneratedBatch } from "../helpers/typed.ts";

/** The part of the OpenAPI document the contract test below reads. */
interface JsonSchema {
  $ref?: string;
  properties?: Record<string, { enum?: unknown[] }>;
}
interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> } }>
  >;
  components: { schemas: Record<string, JsonSchema> };
}

function hasPdftotext(): boolean {
  try {
    execFileSync("pdftotext", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function extract(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), "cards-"));
  writeFileSync(join(dir, "c.pdf"), pdf);
  execFileSync("pdftotext", ["-enc", "UTF-8", join(dir, "c.pdf"), join(dir, "c.txt")]);
  return readFileSync(join(dir, "c.txt"), "utf8");
}

let partner: Selectable<Partners>;
let bundle: Selectable<Bundles>;
let owner: string;
/** A member who reads English: the cards do not follow the person who prints them. */
let englishMember: string;
let token: string;

beforeAll(async () => {
  const created = await createPartnerWithOwner({ name: "Bangkok Loyalty" });
  partner = created.partner;
  await testDb()
    .db.updateTable("partners")
    .set({ locale: "th-TH" })
    .where("id", "=", partner.id)
    .execute();
  bundle = await createBundle(partner.id, {
    name: "Café Starter",
    staffSeats: 2,
    cardOperations: 1000,
    termMonths: 12,
  });
  owner = (await signInAs(created.owner)).cookie;
  const member = await createUser({ locale: "en" });
  await addPartnerMember(partner.id, member.id, "member");
  englishMember = (await signInAs(member)).cookie;
  token = await partnerKey(partner.id, "Shop POS");
});

async function storedLocale(batchId: string): Promise<string> {
  const row = await testDb()
    .db.selectFrom("code_batches")
    .select("locale")
    .where("id", "=", batchId)
    .executeTakeFirstOrThrow();
  return row.locale;
}

function generate(fields: Record<string, string>, cookie = owner) {
  const params = { slug: partner.slug, bundleId: bundle.id };
  return callRoute<{ errors: Record<string, { key: string }> }>(generateAction, {
    request: formRequest(`/partner/${partner.slug}/bundles/${bundle.id}/generate`, fields, {
      cookie,
    }),
    params,
  });
}

async function cardsOf(batchId: string, cookie = englishMember): Promise<Buffer> {
  const response = await cardsLoader({
    request: getRequest(`/partner/${partner.slug}/batches/${batchId}/cards.pdf`, {
      cookie,
      headers: { "accept-language": "en-GB" },
    }),
    params: { slug: partner.slug, batchId },
    context: makeContext(),
  });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

describe("the generate form", () => {
  test("offers the three card languages, the partner's preselected", async () => {
    const page = await callRoute<{ cardLanguage: string }>(generateLoader, {
      request: getRequest(`/partner/${partner.slug}/bundles/${bundle.id}/generate`, {
        cookie: englishMember,
      }),
      params: { slug: partner.slug, bundleId: bundle.id },
    });
    expect(page.body.cardLanguage).toBe("th");
  });

  test("stores the chosen language: the partner's own tag for its language, else bare", async () => {
    const thai = await generate({ count: "3", locale: "th" });
    expect(thai.status).toBe(302);
    expect(await storedLocale(thai.location!.split("/").pop()!)).toBe("th-TH");
    const ukrainian = await generate({ count: "3", locale: "uk" });
    expect(await storedLocale(ukrainian.location!.split("/").pop()!)).toBe("uk");
    // A hand-made POST without the field gets the partner's language.
    const none = await generate({ count: "1" });
    expect(await storedLocale(none.location!.split("/").pop()!)).toBe("th-TH");
  });

  test.each(["de", "", "TH", "th-TH"])(
    "card language %j is refused on its field, nothing written",
    async (locale) => {
      const before = await countRows(["code_batches", "activation_codes", "audit_log"]);
      const result = await generate({ count: "3", locale });
      expect(result.status).toBe(400);
      expect(Object.keys(result.body.errors)).toEqual(["locale"]);
      expect(result.body.errors.locale).toEqual({ key: "validation.choice" });
      expect(await countRows(["code_batches", "activation_codes", "audit_log"])).toEqual(before);
    },
  );
});

describe("POST /api/v1/bundles/{id}/codes with a locale", () => {
  const create = (body: unknown) =>
    callApi<GeneratedBatch>({
      method: "POST",
      path: `/api/v1/bundles/${bundle.id}/codes`,
      token,
      body,
    });

  test("the chosen locale is stored and answered; without it, the partner's", async () => {
    const chosen = await create({ count: 2, locale: "uk" });
    expect(chosen.status).toBe(201);
    expect(chosen.body.batch.locale).toBe("uk");
    expect(await storedLocale(chosen.body.batch.id)).toBe("uk");
    const read = await callApi<Batch>({ path: `/api/v1/batches/${chosen.body.batch.id}`, token });
    expect(read.body.locale).toBe("uk");

    const fallback = await create({ count: 2 });
    expect(fallback.body.batch.locale).toBe("th");
    expect(await storedLocale(fallback.body.batch.id)).toBe("th-TH");
  });

  test.each(["de", "TH", 7, null])(
    "locale %j is a 400 naming the field, nothing written",
    async (locale) => {
      const before = await countRows(["code_batches", "activation_codes", "audit_log"]);
      const result = await create({ count: 2, locale });
      expect(result.status, JSON.stringify(result.body)).toBe(400);
      expect(result.headers.get("Content-Type")).toBe("application/problem+json");
      expect(problemOf(result).code).toBe("invalid_request");
      expect(problemOf(result).errors?.map((e) => e.field)).toEqual(["locale"]);
      expect(await countRows(["code_batches", "activation_codes", "audit_log"])).toEqual(before);
    },
  );

  test("the contract documents the field as an enum", async () => {
    const doc = await callApi<OpenApiDocument>({ path: "/api/v1/openapi.json", token: null });
    const text = JSON.stringify(doc.body);
    expect(text).toContain("is the language of the batch's printable code cards");
    const op = get(get(doc.body.paths, "/api/v1/bundles/{id}/codes", "path"), "post", "operation");
    const { schema } = get(present(op.requestBody, "request body").content, "application/json");
    const props =
      schema.properties ??
      get(doc.body.components.schemas, present(schema.$ref?.split("/").pop(), "$ref"), "schema")
        .properties;
    expect(props?.locale?.enum).toEqual(["en", "th", "uk"]);
  });
});

describe("the cards PDF in the batch's language", () => {
  test.runIf(hasPdftotext())(
    "a Thai batch prints Thai words for an English reader, in Noto Sans Thai",
    { timeout: 60_000 },
    async () => {
      const result = await generate({ count: "2", locale: "th" });
      const pdf = await cardsOf(result.location!.split("/").pop()!);
      const raw = pdf.toString("latin1");
      expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansThai-/);
      const text = extract(pdf);
      expect(text).toContain("แลกได้ถึง");
      expect(text).toContain("สแกนคิวอาร์โค้ด");
      expect(text).toMatch(/25\d\d/); // the Buddhist year of the expiry
      expect(text).not.toContain("Redeem by");
      expect(text).not.toContain("?");
    },
  );

  test.runIf(hasPdftotext())("a Ukrainian batch prints Cyrillic", { timeout: 60_000 }, async () => {
    const result = await generate({ count: "2", locale: "uk" });
    const pdf = await cardsOf(result.location!.split("/").pop()!, owner);
    const text = extract(pdf);
    expect(text).toContain("Активуйте до");
    expect(text).toContain("місця працівників");
    expect(text).toMatch(/Код №\d+/);
    expect(text).not.toContain("?");
  });

  test("an English batch keeps Helvetica", { timeout: 60_000 }, async () => {
    const result = await generate({ count: "1", locale: "en" });
    const pdf = await cardsOf(result.location!.split("/").pop()!);
    expect(pdf.toString("latin1")).toContain("/BaseFont /Helvetica");
    expect(pdf.toString("latin1")).not.toContain("NotoSans");
  });

  test("a batch's cards are the same bytes on every render", { timeout: 120_000 }, async () => {
    const ukrainian = await generate({ count: "1", locale: "uk" });
    const batchId = ukrainian.location!.split("/").pop()!;
    const [one, two] = await Promise.all([cardsOf(batchId), cardsOf(batchId, owner)]);
    expect(one.equals(two)).toBe(true);
  });
});
