// Flash messages: one message carried across a redirect in a signed cookie, shown once.
import { createCookieSessionStorage, redirect, type TypedResponse } from "@remix-run/node";
import { env } from "~/env.server";
import type { RequestContext } from "~/auth/context.server";
import type { MessageKey, MessageValues } from "./messages";

export interface Flash {
  kind: "success" | "error" | "info";
  /** A message key (common namespace by default) and its values. */
  key: MessageKey;
  values?: MessageValues;
}

const storage = createCookieSessionStorage<Record<string, never>, { flash: Flash }>({
  cookie: {
    name: "7s_flash",
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secrets: [env.SESSION_SECRET],
    secure: env.secureCookies,
  },
});

export async function flashCookie(request: Request, flash: Flash): Promise<string> {
  const session = await storage.getSession(request.headers.get("cookie"));
  session.flash("flash", flash);
  return storage.commitSession(session);
}

/**
 * Redirect (POST → redirect → GET) with a message for the next page. Typed as redirect() is
 * (no data): a plain Response would make useActionData<typeof action>() `any`.
 */
export async function redirectWithFlash(
  request: Request,
  to: string,
  flash: Flash,
  extraCookies: string[] = [],
): Promise<TypedResponse<never>> {
  const headers = new Headers();
  headers.append("Set-Cookie", await flashCookie(request, flash));
  for (const cookie of extraCookies) headers.append("Set-Cookie", cookie);
  return redirect(to, { headers });
}

/** Reads and clears the pending message (the root loader calls this). */
export async function takeFlash(request: Request, context: RequestContext): Promise<Flash | null> {
  const cookieHeader = request.headers.get("cookie");
  if (!cookieHeader?.includes("7s_flash=")) return null;
  const session = await storage.getSession(cookieHeader);
  const flash = session.get("flash") ?? null;
  context.appendSetCookie(await storage.commitSession(session));
  return flash;
}
