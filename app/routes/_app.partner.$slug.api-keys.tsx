import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requirePartnerMember } from "~/auth/guards.server";
import { ApiKeysPanel } from "~/components/api-keys/ApiKeysPanel";
import { PageHeader } from "~/components/Layout";
import { db } from "~/db.server";
import { createApiKey, listApiKeys, revokeApiKey } from "~/domain/api-keys.server";
import { apiKeyAction } from "~/lib/api-key-forms.server";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "API keys · 7stamp Partner Portal" }];

// The page can hold a new key (after a create without JavaScript): never cache it.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

// Owners only: a key acts for the whole partner, so members get 403 (they know the partner).
export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug, "owner");
  const keys = await listApiKeys(db, { partnerId: partner.id });
  return { partner: { slug: partner.slug }, keys };
}

export async function action(args: ActionFunctionArgs) {
  const { user, partner } = await requirePartnerMember(args, args.params.slug, "owner");
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  return apiKeyAction(await args.request.formData(), {
    request: args.request,
    here: `/partner/${partner.slug}/api-keys`,
    create: (name) => createApiKey(db, { partnerId: partner.id, name, actor, ip }),
    revoke: (keyId) => revokeApiKey(db, { now: clock(), partnerId: partner.id, keyId, actor, ip }),
  });
}

export default function PartnerApiKeys() {
  const { t } = useTranslation("apiKeys");
  const { keys } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("subtitle")}
        actions={
          <a
            href="/api/v1/openapi.json"
            className="text-sm font-medium text-brand-700 hover:underline"
          >
            {t("docs")}
          </a>
        }
      />
      <ApiKeysPanel
        keys={keys}
        actionData={actionData}
        text={{
          caption: t("listTitle"),
          emptyTitle: t("empty"),
          emptyBody: t("emptyBody"),
          confirmRevoke: (name) => t("confirmRevoke", { name }),
          createTitle: t("createTitle"),
          createHint: t("createHint"),
          create: t("create"),
        }}
      />
    </>
  );
}
