// The two forms of an API-keys page (a partner's keys, support's platform tokens): create a
// key, answered with its secret this once, and revoke one. Each page says whose keys they are.
import { data } from "@remix-run/node";
import { z } from "zod";
import { notFound } from "~/auth/guards.server";
import type { ApiKeyActionData } from "~/components/api-keys/ApiKeysPanel";
import { ApiKeyNameSchema, ApiKeyNotFound } from "~/domain/api-keys.server";
import { redirectWithFlash } from "./flash.server";
import { isUuid } from "./ids";
import { dispatchIntent, intentForm } from "./intents.server";

interface KeyCreated {
  key: { id: string; name: string; prefix: string };
  token: string;
}

/** The action of an API-keys page: its create and revoke forms through dispatchIntent. */
export function apiKeyAction(formData: FormData, options: Parameters<typeof apiKeyForms>[0]) {
  // Every answer carries `created` (null unless a key was just made), a failure included.
  return dispatchIntent(formData, apiKeyForms(options), { failureFields: { created: null } });
}

function apiKeyForms({
  request,
  here,
  create,
  revoke,
}: {
  request: Request;
  /** The page, where a revoke redirects back to. */
  here: string;
  create: (name: string) => Promise<KeyCreated>;
  revoke: (keyId: string) => Promise<{ name: string }>;
}) {
  return {
    create: intentForm(z.object({ name: ApiKeyNameSchema }), async ({ name }) => {
      const { key, token } = await create(name);
      // The new key is shown exactly once, so it is answered here as action data rather than
      // carried across a redirect: a flash cookie or a URL would put the secret into cookie
      // storage, proxies and logs, and the next page would show it again. The cost is that
      // this POST is not followed by a redirect; Remix still revalidates the list, and the
      // secret is gone from the page with the next navigation or form submission.
      return data<ApiKeyActionData>(
        {
          errors: {},
          values: {},
          formError: null,
          created: { id: key.id, name: key.name, prefix: key.prefix, token },
        },
        { headers: { "Cache-Control": "no-store" } },
      );
    }),
    // A key that is not one of this page's (or no key id at all) is not found, as before.
    revoke: intentForm(z.object({ keyId: z.string().default("") }), async ({ keyId }) => {
      if (!isUuid(keyId)) throw notFound();
      try {
        const key = await revoke(keyId);
        return redirectWithFlash(request, here, {
          kind: "success",
          key: "apiKeys:revoked",
          values: { name: key.name },
        });
      } catch (error) {
        if (error instanceof ApiKeyNotFound) throw notFound();
        throw error;
      }
    }),
  };
}
