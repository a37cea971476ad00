// A business's own language (issue 17, ADR 035 amended 2026-12-07): set by the owner where the
// business's details are edited (Manage subscription), it is the organisation locale of the
// language choice on the business's pages for its members without a preference, and the
// language of emails to its people (staff invitations, password resets) who have none.
import type { Selectable } from "kysely";
import { beforeAll, beforeEach, describe, expect, test } from "vitest";
import { sendPasswordReset } from "~/auth/accounts.server";
import { createInvitation } from "~/auth/invitations.server";
import { db } from "~/db.server";
import { testOutbox } from "~/email/mailer.server";
import { loader as rootLoader } from "~/root";
import {
  action as subscriptionAction,
  loader as subscriptionLoader,
} from "~/routes/_app.business.$businessId.subscription";
import type { Businesses, Users } from "~db/schema.ts";
import { testDb } from "../db.ts";
import { addBusinessMember, createBusinessWithOwner, createUser } from "../factories.ts";
import { auditRows, countRows, signInAs } from "../helpers/auth.ts";
import { callRoute, formRequest, getRequest } from "../helpers/remix.ts";

type RootData = { locale: { language: string; formattingLocale: string } };

let business: Selectable<Businesses>;
let owner: string;
let staffUser: Selectable<Users>;
let staff: string;

async function rootLocale(path: string, cookie: string | null, accept = "en-GB") {
  const result = await callRoute<RootData>(rootLoader, {
    request: getRequest(path, { cookie, headers: { "accept-language": accept } }),
    params: { businessId: business.id },
  });
  return result.body.locale;
}

function setLanguage(locale: string, cookie = owner) {
  return callRoute<{ errors: Record<string, { key: string }> }>(subscriptionAction, {
    request: formRequest(
      `/business/${business.id}/subscription`,
      { intent: "business-locale", locale },
      { cookie },
    ),
    params: { businessId: business.id },
  });
}

async function storedLocale(): Promise<string | null> {
  const row = await testDb()
    .db.selectFrom("businesses")
    .select("locale")
    .where("id", "=", business.id)
    .executeTakeFirstOrThrow();
  return row.locale;
}

beforeAll(async () => {
  const created = await createBusinessWithOwner({ name: "ร้านกาแฟมุมถนน" });
  business = created.business;
  owner = (await signInAs(created.owner)).cookie;
  staffUser = await createUser();
  await addBusinessMember(business.id, staffUser.id, "staff");
  staff = (await signInAs(staffUser)).cookie;
});

beforeEach(() => {
  testOutbox().length = 0;
});

describe("the owner sets the business's language", () => {
  test("saved, audited, shown on the page; 'auto' clears it", async () => {
    const result = await setLanguage("th");
    expect(result.status).toBe(302);
    expect(result.location).toBe(`/business/${business.id}/subscription`);
    expect(await storedLocale()).toBe("th");
    const audit = (await auditRows("business.locale_changed")).filter(
      (row) => row.business_id === business.id,
    );
    expect(audit).toHaveLength(1);
    const page = await callRoute<{ businessLanguage: string; businessLanguageSet: boolean }>(
      subscriptionLoader,
      {
        request: getRequest(`/business/${business.id}/subscription`, { cookie: owner }),
        params: { businessId: business.id },
      },
    );
    expect(page.body).toMatchObject({ businessLanguage: "th", businessLanguageSet: true });

    await setLanguage("auto");
    expect(await storedLocale()).toBeNull();
    await setLanguage("th");
    expect(await storedLocale()).toBe("th");
  });

  test.each(["de", "", "th-TH"])("%j is refused on its field; nothing written", async (locale) => {
    const before = await countRows(["businesses", "audit_log"]);
    const stored = await storedLocale();
    const result = await setLanguage(locale);
    expect(result.status).toBe(400);
    expect(Object.keys(result.body.errors)).toEqual(["locale"]);
    expect(await storedLocale()).toBe(stored);
    expect(await countRows(["businesses", "audit_log"])).toEqual(before);
  });

  test("staff cannot set it", async () => {
    const stored = await storedLocale();
    const result = await setLanguage("uk", staff);
    expect(result.status).toBe(403);
    expect(await storedLocale()).toBe(stored);
  });
});

describe("the business's locale in the language choice", () => {
  beforeAll(async () => {
    await testDb()
      .db.updateTable("businesses")
      .set({ locale: "th" })
      .where("id", "=", business.id)
      .execute();
  });

  test("its members without a preference read it on its pages, over Accept-Language", async () => {
    expect(await rootLocale(`/business/${business.id}/billing`, staff)).toEqual({
      language: "th",
      formattingLocale: "th-TH-u-ca-buddhist",
    });
    // Elsewhere (their account page) the business does not speak for them.
    expect((await rootLocale("/account", staff)).language).toBe("en");
  });

  test("a member's own preference wins; a non-member learns nothing from it", async () => {
    const chooser = await createUser({ locale: "uk" });
    await addBusinessMember(business.id, chooser.id, "staff");
    const own = (await signInAs(chooser)).cookie;
    expect((await rootLocale(`/business/${business.id}/billing`, own, "th")).language).toBe("uk");

    const outsider = (await signInAs(await createUser())).cookie;
    expect((await rootLocale(`/business/${business.id}/billing`, outsider)).language).toBe("en");
  });
});

describe("emails to the business's people in its language", () => {
  beforeAll(async () => {
    await testDb()
      .db.updateTable("businesses")
      .set({ locale: "th" })
      .where("id", "=", business.id)
      .execute();
  });

  test("a staff invitation to someone new is Thai though the owner writes English", async () => {
    await createInvitation(db, {
      inviter: { id: null, email: "owner@example.test", name: "Somchai" },
      target: { businessId: business.id, role: "staff" },
      email: `new-${Date.now()}@example.test`,
      language: "en",
      ip: null,
      now: new Date(),
    });
    expect(testOutbox().at(-1)?.subject).toBe("Somchai เชิญคุณเข้าร่วม ร้านกาแฟมุมถนน บน 7stamp");
  });

  test("an invitee with a preference of their own reads it", async () => {
    const recipient = await createUser({ locale: "uk" });
    await createInvitation(db, {
      inviter: { id: null, email: "owner@example.test", name: "Somchai" },
      target: { businessId: business.id, role: "staff" },
      email: recipient.email,
      language: "en",
      ip: null,
      now: new Date(),
    });
    expect(testOutbox().at(-1)?.subject).toBe("Somchai запрошує вас до ร้านกาแฟมุมถนน у 7stamp");
  });

  test("a member's password reset is Thai when they chose nothing, asked from an English browser", async () => {
    await sendPasswordReset(db, { email: staffUser.email, ip: null, language: "en" });
    expect(testOutbox().at(-1)?.subject).toBe("รีเซ็ตรหัสผ่าน 7stamp ของคุณ");

    const chooser = await createUser({ locale: "en" });
    await addBusinessMember(business.id, chooser.id, "staff");
    await sendPasswordReset(db, { email: chooser.email, ip: null, language: "th" });
    expect(testOutbox().at(-1)?.subject).not.toBe("รีเซ็ตรหัสผ่าน 7stamp ของคุณ");
  });
});
