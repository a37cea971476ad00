// Choosing a language (ADR 035): the user's preference, the visitor's cookie, the partner's
// locale on its pages, Accept-Language, English; the switcher (a plain form, back to the same
// page and query); emails in the recipient's language.
import { beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { Selectable } from "kysely";
import { createInvitation } from "~/auth/invitations.server";
import { db } from "~/db.server";
import { testOutbox } from "~/email/mailer.server";
import { loader as rootLoader } from "~/root";
import { action as languageAction } from "~/routes/language";
import type { Partners } from "~db/schema.ts";
import { testDb } from "../db.ts";
import { addPartnerMember, createPartnerWithOwner, createUser } from "../factories.ts";
import { auditRows, signInAs } from "../helpers/auth.ts";
import { callRoute, findSetCookie, formRequest, getRequest } from "../helpers/remix.ts";

type RootData = { locale: { language: string; formattingLocale: string } };

async function rootLocale(path: string, headers: Record<string, string>, params = {}) {
  const cookie = headers.cookie ?? null;
  const result = await callRoute<RootData>(rootLoader, {
    request: getRequest(path, { cookie, headers: { "accept-language": headers.accept ?? "" } }),
    params,
  });
  return result.body.locale;
}

let partner: Selectable<Partners>;

beforeAll(async () => {
  partner = (await createPartnerWithOwner({ name: "Bangkok Loyalty" })).partner;
  await testDb()
    .db.updateTable("partners")
    .set({ locale: "th-TH" })
    .where("id", "=", partner.id)
    .execute();
});

beforeEach(() => {
  testOutbox().length = 0;
});

describe("the locale of a page", () => {
  test("a visitor's Accept-Language picks Thai, with Buddhist-era dates", async () => {
    expect(await rootLocale("/login", { accept: "th,en;q=0.5" })).toEqual({
      language: "th",
      formattingLocale: "th-TH-u-ca-buddhist",
    });
    expect(await rootLocale("/login", { accept: "uk-UA" })).toEqual({
      language: "uk",
      formattingLocale: "uk-UA",
    });
    expect((await rootLocale("/login", { accept: "de-DE" })).language).toBe("en");
  });

  test("the visitor's cookie wins over Accept-Language", async () => {
    expect((await rootLocale("/login", { accept: "th", cookie: "7s_lang=uk" })).language).toBe(
      "uk",
    );
    // A cookie naming a language we do not have is ignored.
    expect((await rootLocale("/login", { accept: "th", cookie: "7s_lang=de" })).language).toBe(
      "th",
    );
  });

  test("a partner's members read its locale on its pages unless they chose their own", async () => {
    const member = await createUser();
    await addPartnerMember(partner.id, member.id, "member");
    const { cookie } = await signInAs(member);
    const page = `/partner/${partner.slug}/codes`;
    const params = { slug: partner.slug };
    expect((await rootLocale(page, { accept: "en-GB", cookie }, params)).language).toBe("th");
    // Elsewhere (their account page) the partner does not speak for them.
    expect((await rootLocale("/account", { accept: "en-GB", cookie })).language).toBe("en");

    const chooser = await createUser({ locale: "uk" });
    await addPartnerMember(partner.id, chooser.id, "member");
    const own = await signInAs(chooser);
    expect((await rootLocale(page, { accept: "th", cookie: own.cookie }, params)).language).toBe(
      "uk",
    );

    // Someone who is not a member gets nothing from the partner (its locale stays private).
    const outsider = await createUser();
    const theirs = await signInAs(outsider);
    expect(
      (await rootLocale(page, { accept: "en-GB", cookie: theirs.cookie }, params)).language,
    ).toBe("en");
  });
});

describe("the language switcher", () => {
  test("a visitor gets the cookie and goes back to the same page and filters", async () => {
    const result = await callRoute(languageAction, {
      request: formRequest("/language", {
        language: "th",
        returnTo: "/login?redirectTo=%2Fredeem%2FABC",
      }),
    });
    expect(result.status).toBe(302);
    expect(result.location).toBe("/login?redirectTo=%2Fredeem%2FABC");
    const cookie = findSetCookie(result.setCookies, "7s_lang");
    expect(cookie).toMatch(/^7s_lang=th; Path=\/; HttpOnly; SameSite=Lax; Max-Age=31536000/);
  });

  test("a signed-in user's choice is saved and audited", async () => {
    const user = await createUser();
    const { cookie } = await signInAs(user);
    const result = await callRoute(languageAction, {
      request: formRequest(
        "/language",
        { language: "uk", returnTo: "/partner/x/codes?status=claimed&bundle=b1" },
        { cookie },
      ),
    });
    expect(result.location).toBe("/partner/x/codes?status=claimed&bundle=b1");
    const row = await testDb()
      .db.selectFrom("users")
      .select("locale")
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(row.locale).toBe("uk");
    const audits = (await auditRows("user.profile_updated")).filter(
      (entry) => entry.subject_id === user.id,
    );
    expect(audits).toHaveLength(1);
    expect((await rootLocale("/account", { accept: "th", cookie })).language).toBe("uk");
  });

  test("a language we do not have is refused with its field named; a foreign return address goes home", async () => {
    const user = await createUser();
    const { cookie } = await signInAs(user);
    const bad = await callRoute(languageAction, {
      request: formRequest("/language", { language: "de", returnTo: "/account" }, { cookie }),
    });
    expect(bad.status).toBe(400);
    expect(bad.location).toBeNull();
    expect(findSetCookie(bad.setCookies, "7s_lang")).toBeUndefined();
    const row = await testDb()
      .db.selectFrom("users")
      .select("locale")
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(row.locale).toBeNull();

    const away = await callRoute(languageAction, {
      request: formRequest("/language", { language: "th", returnTo: "//evil.test/x" }),
    });
    expect(away.location).toBe("/");
  });
});

describe("emails in the recipient's language", () => {
  const inviter = { id: null, email: "support@7stamp.test", name: "Support" };
  const now = new Date();

  test("a new person invited to a Thai partner reads Thai", async () => {
    await createInvitation(db, {
      inviter,
      target: { partnerId: partner.id, role: "member" },
      email: `new-${Date.now()}@example.test`,
      language: "en",
      ip: null,
      now,
    });
    expect(testOutbox().at(-1)?.subject).toBe("Support เชิญคุณเข้าร่วม Bangkok Loyalty บน 7stamp");
  });

  test("someone with an account reads their own language", async () => {
    const recipient = await createUser({ locale: "uk" });
    await createInvitation(db, {
      inviter,
      target: { partnerId: partner.id, role: "member" },
      email: recipient.email,
      language: "en",
      ip: null,
      now,
    });
    expect(testOutbox().at(-1)?.subject).toBe("Support запрошує вас до Bangkok Loyalty у 7stamp");
  });
});
