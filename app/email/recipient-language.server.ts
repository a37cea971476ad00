// Which language an email is written in (ADR 035): the recipient's own preference when they
// have an account, else the sending organisation's locale (a partner's or a business's), else
// the language the sender is using. One rule for invitations, resets and codes handed out.
import type { Database } from "~db/index.ts";
import { chooseLocale, type Language } from "~/lib/locale";

export async function recipientLanguage(
  db: Database,
  {
    email,
    partnerId = null,
    businessId = null,
    senderLanguage,
  }: {
    email: string;
    partnerId?: string | null;
    businessId?: string | null;
    senderLanguage: Language;
  },
): Promise<Language> {
  const [recipient, partner, business] = await Promise.all([
    db.selectFrom("users").select("locale").where("email", "=", email).executeTakeFirst(),
    partnerId
      ? db.selectFrom("partners").select("locale").where("id", "=", partnerId).executeTakeFirst()
      : undefined,
    businessId
      ? db.selectFrom("businesses").select("locale").where("id", "=", businessId).executeTakeFirst()
      : undefined,
  ]);
  return chooseLocale({
    user: recipient?.locale,
    organisation: partner?.locale ?? business?.locale,
    acceptLanguage: senderLanguage,
  }).language;
}

/**
 * An email about the account itself (a password reset), sent on no organisation's behalf: the
 * account's preference, else the locale of a business it belongs to (the first it joined
 * that chose one), else the language of the browser that asked.
 */
export async function accountEmailLanguage(
  db: Database,
  {
    user,
    browserLanguage,
  }: { user: { id: string; locale: string | null }; browserLanguage: Language },
): Promise<Language> {
  const business = user.locale
    ? undefined
    : await db
        .selectFrom("business_members")
        .innerJoin("businesses", "businesses.id", "business_members.business_id")
        .select("businesses.locale")
        .where("business_members.user_id", "=", user.id)
        .where("businesses.locale", "is not", null)
        .orderBy("business_members.created_at")
        .orderBy("businesses.id")
        .limit(1)
        .executeTakeFirst();
  return chooseLocale({
    user: user.locale,
    organisation: business?.locale,
    acceptLanguage: browserLanguage,
  }).language;
}
