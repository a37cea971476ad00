// The language switcher's target (header and sign-in pages): a plain form POST, so it works
// without JavaScript. A signed-in person's choice is saved as their preference; everyone
// also gets the cookie, so the sign-in page after signing out keeps the language. Back to
// the same page, query string (filters) included.
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getOptionalUser } from "~/auth/guards.server";
import { db } from "~/db.server";
import { setLanguagePreference } from "~/domain/users.server";
import { clock } from "~/lib/clock.server";
import { parseForm } from "~/lib/forms";
import { supportedLanguages } from "~/lib/locale";
import { languageCookie } from "~/lib/request-locale.server";
import { safeRedirectPath } from "~/lib/safe-redirect";

const LanguageForm = z.object({
  language: z.enum(supportedLanguages),
  returnTo: z.string().max(2000).optional(),
});

// Choosing changes state, so only POST does it; a GET just goes home.
export function loader() {
  throw redirect("/");
}

export async function action(args: ActionFunctionArgs) {
  const formData = await args.request.formData();
  const returnTo = safeRedirectPath(formData.get("returnTo"), "/");
  const form = parseForm(LanguageForm, formData);
  // The switcher only offers the languages we have; anything else is a crafted request, refused
  // with the field named and nothing written.
  if (!form.success) {
    return new Response(`language: choose one of ${supportedLanguages.join(", ")}.`, {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  const user = await getOptionalUser(args);
  if (user) {
    await setLanguagePreference(db, {
      userId: user.id,
      locale: form.data.language,
      ip: args.context.clientIp,
      now: clock(),
    });
  }
  return redirect(returnTo, { headers: { "Set-Cookie": languageCookie(form.data.language) } });
}
