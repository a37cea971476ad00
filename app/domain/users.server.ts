// A person's own profile: display name and language.
import type { Database } from "~db/index.ts";
import { recordAudit } from "./audit.server";

export async function updateProfile(
  db: Database,
  {
    userId,
    name,
    locale,
    ip,
    now,
  }: { userId: string; name: string; locale: string | null; ip: string | null; now: Date },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom("users")
      .select(["email", "name", "locale"])
      .where("id", "=", userId)
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("users")
      .set({ name, locale, updated_at: now })
      .where("id", "=", userId)
      .execute();
    await recordAudit(trx, {
      actor: { userId, label: before.email },
      action: "user.profile_updated",
      subject: { type: "user", id: userId },
      before: { name: before.name, locale: before.locale },
      after: { name, locale },
      ip,
    });
  });
}

/** The language switcher for a signed-in person: only the language, audited like the page. */
export async function setLanguagePreference(
  db: Database,
  { userId, locale, ip, now }: { userId: string; locale: string; ip: string | null; now: Date },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom("users")
      .select(["email", "locale"])
      .where("id", "=", userId)
      .executeTakeFirstOrThrow();
    if (before.locale === locale) return;
    await trx
      .updateTable("users")
      .set({ locale, updated_at: now })
      .where("id", "=", userId)
      .execute();
    await recordAudit(trx, {
      actor: { userId, label: before.email },
      action: "user.profile_updated",
      subject: { type: "user", id: userId },
      before: { locale: before.locale },
      after: { locale },
      ip,
    });
  });
}
