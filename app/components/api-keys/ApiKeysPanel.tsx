// The page of API keys, written once for a partner's keys and support's platform tokens: the
// key just created (shown this once), the list with last use and revoke, and the create form.
import { Form, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Button } from "~/components/Button";
import { ConfirmedActionForm } from "~/components/ConfirmedActionForm";
import { Field } from "~/components/Field";
import { Card, EmptyState, Table } from "~/components/Layout";
import { formatDate, formatDateTime } from "~/lib/format";
import type { FormFailure } from "~/lib/form-responses.server";
import { useFormattingLocale } from "~/root";
import { NewApiKey, type CreatedKey } from "./NewApiKey";

export interface ListedKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: string | Date;
  lastUsedAt: string | Date | null;
  revokedAt: string | Date | null;
}

/** What the create or revoke action answers when it does not redirect. */
export type ApiKeyActionData = FormFailure & { created?: CreatedKey | null };

interface ApiKeysPanelProps {
  keys: ListedKey[];
  actionData: ApiKeyActionData | undefined;
  /** The page's own words: the list's caption, the empty list, the create card. */
  text: {
    caption: string;
    emptyTitle: string;
    emptyBody?: string;
    confirmRevoke: (name: string) => string;
    createTitle: string;
    createHint: string;
    create: string;
  };
}

export function ApiKeysPanel({ keys, actionData, text }: ApiKeysPanelProps) {
  const { t } = useTranslation("apiKeys");
  const navigation = useNavigation();
  const creating =
    navigation.state === "submitting" && navigation.formData?.get("intent") === "create";
  const locale = useFormattingLocale();
  const created = actionData?.created ?? null;
  return (
    <div className="space-y-6">
      {created ? <NewApiKey created={created} /> : null}
      {keys.length === 0 ? (
        <EmptyState title={text.emptyTitle}>{text.emptyBody}</EmptyState>
      ) : (
        <Table
          stackOnPhone
          caption={text.caption}
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
                    confirm={text.confirmRevoke(key.name)}
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
        <Card title={text.createTitle}>
          {/* Keyed by the created key: a successful create empties the form. */}
          <Form key={created?.id ?? "new"} method="post" className="space-y-4" noValidate>
            <input type="hidden" name="intent" value="create" />
            <Field
              label={t("name")}
              name="name"
              required
              maxLength={80}
              autoComplete="off"
              hint={text.createHint}
              defaultValue={actionData?.values.name}
              error={actionData?.errors.name}
            />
            <Button type="submit" disabled={creating}>
              {text.create}
            </Button>
          </Form>
        </Card>
      </div>
    </div>
  );
}
