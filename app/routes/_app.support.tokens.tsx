// /support/tokens — platform API tokens (sk_platform_…) for the 7stamp core platform: create
// (shown once), list with last use, revoke. The same as `npm run admin -- token create --platform`.
import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireSupport } from "~/auth/guards.server";
import { ApiKeysPanel } from "~/components/api-keys/ApiKeysPanel";
import { PageHeader } from "~/components/Layout";
import { db } from "~/db.server";
import {
  createPlatformToken,
  listPlatformTokens,
  revokePlatformToken,
} from "~/domain/api-keys.server";
import { apiKeyAction } from "~/lib/api-key-forms.server";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Platform tokens · 7stamp Partner Portal" }];

// The page can hold a new token (after a create without JavaScript): never cache it.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  return { tokens: await listPlatformTokens(db) };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  return apiKeyAction(await args.request.formData(), {
    request: args.request,
    here: "/support/tokens",
    create: (name) => createPlatformToken(db, { name, actor, ip }),
    revoke: (keyId) => revokePlatformToken(db, { now: clock(), keyId, actor, ip }),
  });
}

export default function SupportTokens() {
  const { t } = useTranslation("support");
  const { tokens } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <>
      <PageHeader title={t("tokens.title")} description={t("tokens.subtitle")} />
      <ApiKeysPanel
        keys={tokens}
        actionData={actionData}
        text={{
          caption: t("tokens.title"),
          emptyTitle: t("tokens.empty"),
          confirmRevoke: (name) => t("tokens.confirmRevoke", { name }),
          createTitle: t("tokens.createTitle"),
          createHint: t("tokens.createHint"),
          create: t("tokens.create"),
        }}
      />
    </>
  );
}
