import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { notFound, requirePartnerMember } from "~/auth/guards.server";
import { Button } from "~/components/Button";
import { ConfirmedActionForm } from "~/components/ConfirmedActionForm";
import { Field } from "~/components/Field";
import { NewApiKey } from "~/components/NewApiKey";
import { Card, EmptyState, PageHeader, Table } from "~/components/Layout";
import { db } from "~/db.server";
import {
  ApiKeyNameSchema,
  ApiKeyNotFound,
  createApiKey,
  listApiKeys,
  revokeApiKey,
} from "~/domain/api-keys.server";
import { formatDate, formatDateTime } from "~/lib/format";
import { redirectWithFlash } from "~/lib/flash.server";
import type { FormFailure } from "~/lib/form-responses.server";
import { parseForm } from "~/lib/forms";
import { useFormattingLocale } from "~/root";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "API keys · 7stamp Partner Portal" }];

// The page can hold a new key (after a create without JavaScript): never cache it.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

const CreateKeyForm = z.object({ intent: z.literal("create"), name: ApiKeyNameSchema });
const RevokeKeyForm = z.object({ intent: z.literal("revoke"), keyId: z.string().uuid() });

interface CreatedKey {
  id: string;
  name: string;
  prefix: string;
  token: string;
}

type ActionData = FormFailure & { created: CreatedKey | null };

// Owners only: a key acts for the whole partner, so members get 403 (they know the partner).
export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug, "owner");
  const keys = await listApiKeys(db, { partnerId: partner.id });
  return { partner: { slug: partner.slug }, keys };
}

export async function action(args: ActionFunctionArgs) {
  const { user, partner } = await requirePartnerMember(args, args.params.slug, "owner");
  const actor = { userId: user.id, label: user.email };
  const formData = await args.request.formData();

  if (formData.get("intent") === "revoke") {
    const form = parseForm(RevokeKeyForm, formData);
    if (!form.success) throw notFound();
    try {
      const key = await revokeApiKey(db, {
        partnerId: partner.id,
        keyId: form.data.keyId,
        actor,
        ip: args.context.clientIp,
        now: clock(),
      });
      return redirectWithFlash(args.request, `/partner/${partner.slug}/api-keys`, {
        kind: "success",
        key: "apiKeys:revoked",
        values: { name: key.name },
      });
    } catch (error) {
      if (error instanceof ApiKeyNotFound) throw notFound();
      throw error;
    }
  }

  const form = parseForm(CreateKeyForm, formData);
  if (!form.success) {
    return data<ActionData>(
      { errors: form.errors, values: form.values, formError: null, created: null },
      { status: 400 },
    );
  }
  const { key, token } = await createApiKey(db, {
    partnerId: partner.id,
    name: form.data.name,
    actor,
    ip: args.context.clientIp,
  });
  // The new key is shown exactly once, so it is answered here as action data rather than
  // carried across a redirect: a flash cookie or a URL would put the secret into cookie
  // storage, proxies and logs, and the next page would show it again. The cost is that this
  // POST is not followed by a redirect; Remix still revalidates the list below, and the
  // secret is gone from the page with the next navigation or form submission.
  return data<ActionData>(
    {
      errors: {},
      values: {},
      formError: null,
      created: { id: key.id, name: key.name, prefix: key.prefix, token },
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export default function PartnerApiKeys() {
  const { t } = useTranslation("apiKeys");
  const { keys } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const creating =
    navigation.state === "submitting" && navigation.formData?.get("intent") === "create";
  const locale = useFormattingLocale();
  const created = actionData?.created ?? null;

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
      <div className="space-y-6">
        {created ? <NewApiKey created={created} /> : null}
        {keys.length === 0 ? (
          <EmptyState title={t("empty")}>{t("emptyBody")}</EmptyState>
        ) : (
          <Table
            stackOnPhone
            caption={t("listTitle")}
            head={
              <tr>
                <th className="px-4 py-2">{t("name")}</th>
                <th className="px-4 py-2">{t("prefix")}</th>
                <th className="px-4 py-2">{t("created")}</th>
                <th className="px-4 py-2">{t("lastUsed")}</th>
                <th className="px-4 py-2">{t("status")}</th>
                <th className="px-4 py-2">
                  <span className="sr-only">{t("actions")}</span>
                </th>
              </tr>
            }
          >
            {keys.map((key) => (
              <tr key={key.id} className={key.revokedAt ? "text-slate-500" : undefined}>
                <td className="px-4 py-2 font-medium">{key.name}</td>
                <td data-label={t("prefix")} className="px-4 py-2 font-mono text-xs">
                  {key.prefix}
                </td>
                <td data-label={t("created")} className="px-4 py-2">
                  {formatDate(key.createdAt, locale)}
                </td>
                <td data-label={t("lastUsed")} className="px-4 py-2">
                  {key.lastUsedAt ? formatDateTime(key.lastUsedAt, locale) : t("never")}
                </td>
                <td data-label={t("status")} className="px-4 py-2">
                  {key.revokedAt
                    ? t("revokedOn", { date: formatDate(key.revokedAt, locale) })
                    : t("active")}
                </td>
                <td className="px-4 py-2 text-right">
                  {key.revokedAt ? null : (
                    <ConfirmedActionForm
                      intent="revoke"
                      fields={{ keyId: key.id }}
                      confirm={t("confirmRevoke", { name: key.name })}
                      label={t("revokeLabel", { name: key.name })}
                    >
                      {t("revoke")}
                    </ConfirmedActionForm>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
        <div className="max-w-lg">
          <Card title={t("createTitle")}>
            {/* Keyed by the created key: a successful create empties the form. */}
            <Form key={created?.id ?? "new"} method="post" className="space-y-4" noValidate>
              <input type="hidden" name="intent" value="create" />
              <Field
                label={t("name")}
                name="name"
                required
                maxLength={80}
                autoComplete="off"
                hint={t("createHint")}
                defaultValue={actionData?.values.name}
                error={actionData?.errors.name}
              />
              <Button type="submit" disabled={creating}>
                {t("create")}
              </Button>
            </Form>
          </Card>
        </div>
      </div>
    </>
  );
}
