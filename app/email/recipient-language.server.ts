// Which language an email is written in (ADR 035): the recipient's own preference when they
// have an account, else the sending organisation's locale (a partner's), else the language
// the sender is using. One rule for invitations, resets and codes handed out.
import type { Database } from "~db/index.ts";
import { chooseLocale, type Language } from "~/lib/locale";

export async function recipientLanguage(
  db: Database,
  {
    email,
    partnerId = null,
    senderLanguage,
  }: { email: string; partnerId?: string | null; senderLanguage: Language },
): Promise<Language> {
  const [recipient, partner] = await Promise.all([
    db.selectFrom("users").select("locale").where("email", "=", email).executeTakeFirst(),
    partnerId
      ? db.selectFrom("partners").select("locale").where("id", "=", partnerId).executeTakeFirst()
      : undefined,
  ]);
  return chooseLocale({
    user: recipient?.locale,
    organisation: partner?.locale,
    acceptLanguage: senderLanguage,
  }).language;
}
