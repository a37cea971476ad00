// /support/tokens — platform API tokens (sk_platform_…) for the 7stamp core platform: create
// (shown once), list with last use, revoke. The same as `npm run admin -- token create --platform`.
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
import { notFound, requireSupport } from "~/auth/guards.server";
import { Button } from "~/components/Button";
import { ConfirmedActionForm } from "~/components/ConfirmedActionForm";
import { Field } from "~/components/Field";
import { Card, EmptyState, PageHeader, Table } from "~/components/Layout";
import { NewApiKey, type CreatedKey } from "~/components/NewApiKey";
import { db } from "~/db.server";
import {
  ApiKeyNameSchema,
  ApiKeyNotFound,
  createPlatformToken,
  listPlatformTokens,
  revokePlatformToken,
} from "~/domain/api-keys.server";
import { redirectWithFlash } from "~/lib/flash.server";
import type { FormFailure } from "~/lib/form-responses.server";
import { formatDate, formatDateTime } from "~/lib/format";
import { parseForm } from "~/lib/forms";
import { useFormattingLocale } from "~/root";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Platform tokens · 7stamp Partner Portal" }];

// The page can hold a new token (after a create without JavaScript): never cache it.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

const Intent = z.object({ intent: z.enum(["create", "revoke"]) });
const CreateForm = z.object({ name: ApiKeyNameSchema });
const RevokeForm = z.object({ keyId: z.string().uuid() });

type ActionData = FormFailure & { created: CreatedKey | null };

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  return { tokens: await listPlatformTokens(db) };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  const actor = { userId: user.id, label: user.email };
  const formData = await args.request.formData();
  const intent = parseForm(Intent, formData);
  if (!intent.success) throw notFound();
  if (intent.data.intent === "revoke") {
    const form = parseForm(RevokeForm, formData);
    if (!form.success) throw notFound();
    try {
      const token = await revokePlatformToken(db, {
        keyId: form.data.keyId,
        actor,
        ip: args.context.clientIp,
        now: clock(),
      });
      return redirectWithFlash(args.request, "/support/tokens", {
        kind: "success",
        key: "apiKeys:revoked",
        values: { name: token.name },
      });
    } catch (error) {
      if (error instanceof ApiKeyNotFound) throw notFound();
      throw error;
    }
  }
  const form = parseForm(CreateForm, formData);
  if (!form.success) {
    return data<ActionData>(
      { errors: form.errors, values: form.values, formError: null, created: null },
      { status: 400 },
    );
  }
  const { key, token } = await createPlatformToken(db, {
    name: form.data.name,
    actor,
    ip: args.context.clientIp,
  });
  // Shown once, as action data (never through a cookie or URL): see the partner keys page.
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

export default function SupportTokens() {
  const { t } = useTranslation("support");
  const { tokens } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const creating =
    navigation.state === "submitting" && navigation.formData?.get("intent") === "create";
  const locale = useFormattingLocale();
  const created = actionData?.created ?? null;
  return (
    <>
      <PageHeader title={t("tokens.title")} description={t("tokens.subtitle")} />
      <div className="space-y-6">
        {created ? <NewApiKey created={created} /> : null}
        {tokens.length === 0 ? (
          <EmptyState title={t("tokens.empty")} />
        ) : (
          <Table
            stackOnPhone
            caption={t("tokens.title")}
            head={
              <tr>
                <th className="px-4 py-2">{t("apiKeys:name")}</th>
                <th className="px-4 py-2">{t("apiKeys:prefix")}</th>
                <th className="px-4 py-2">{t("apiKeys:created")}</th>
                <th className="px-4 py-2">{t("apiKeys:lastUsed")}</th>
                <th className="px-4 py-2">{t("apiKeys:status")}</th>
                <th className="px-4 py-2">
                  <span className="sr-only">{t("apiKeys:actions")}</span>
                </th>
              </tr>
            }
          >
            {tokens.map((token) => (
              <tr key={token.id} className={token.revokedAt ? "text-slate-500" : undefined}>
                <td className="px-4 py-2 font-medium">{token.name}</td>
                <td data-label={t("apiKeys:prefix")} className="px-4 py-2 font-mono text-xs">
                  {token.prefix}
                </td>
                <td data-label={t("apiKeys:created")} className="px-4 py-2">
                  {formatDate(token.createdAt, locale)}
                </td>
                <td data-label={t("apiKeys:lastUsed")} className="px-4 py-2">
                  {token.lastUsedAt ? formatDateTime(token.lastUsedAt, locale) : t("apiKeys:never")}
                </td>
                <td data-label={t("apiKeys:status")} className="px-4 py-2">
                  {token.revokedAt
                    ? t("apiKeys:revokedOn", { date: formatDate(token.revokedAt, locale) })
                    : t("apiKeys:active")}
                </td>
                <td className="px-4 py-2 text-right">
                  {token.revokedAt ? null : (
                    <ConfirmedActionForm
                      intent="revoke"
                      fields={{ keyId: token.id }}
                      confirm={t("tokens.confirmRevoke", { name: token.name })}
                      label={t("apiKeys:revokeLabel", { name: token.name })}
                    >
                      {t("apiKeys:revoke")}
                    </ConfirmedActionForm>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
        <div className="max-w-lg">
          <Card title={t("tokens.createTitle")}>
            <Form key={created?.id ?? "new"} method="post" className="space-y-4" noValidate>
              <input type="hidden" name="intent" value="create" />
              <Field
                label={t("apiKeys:name")}
                name="name"
                required
                maxLength={80}
                autoComplete="off"
                hint={t("tokens.createHint")}
                defaultValue={actionData?.values.name}
                error={actionData?.errors.name}
              />
              <Button type="submit" disabled={creating}>
                {t("tokens.create")}
              </Button>
            </Form>
          </Card>
        </div>
      </div>
    </>
  );
}
