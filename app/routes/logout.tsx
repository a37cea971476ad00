import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { signOut } from "~/auth/accounts.server";
import { getSession } from "~/auth/guards.server";
import { blankSessionCookie } from "~/auth/session.server";
import { db } from "~/db.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { safeRedirectPath } from "~/lib/safe-redirect";

// Signing out changes state, so only POST does it; a GET just goes home.
export function loader() {
  throw redirect("/");
}

export async function action(args: ActionFunctionArgs) {
  const session = await getSession(args);
  if (session)
    await signOut(db, { sessionId: session.id, user: session.user, ip: args.context.clientIp });
  // A same-site page may ask to go on somewhere (the /redeem page: on to sign-up).
  const form = await args.request.formData();
  const to = safeRedirectPath(form.get("redirectTo"), "/login");
  return redirectWithFlash(args.request, to, { kind: "info", key: "auth:logout.done" }, [
    blankSessionCookie(),
  ]);
}
