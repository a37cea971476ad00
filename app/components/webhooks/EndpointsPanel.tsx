// The endpoints of a webhooks page, written once for a partner's endpoints and the platform's:
// the secret just made (shown this once), the list with health and actions, and the add form.
import { Form, Link, useNavigation } from "@remix-run/react";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "~/components/Button";
import { ConfirmedActionForm } from "~/components/ConfirmedActionForm";
import { Field, useFieldErrorText } from "~/components/Field";
import { Card, EmptyState, Table } from "~/components/Layout";
import { ShownOnceSecret } from "~/components/ShownOnceSecret";
import { StatusBadge } from "~/components/StatusBadge";
import { formatDateTime } from "~/lib/format";
import type { FieldError } from "~/lib/forms";
import { useFormattingLocale } from "~/root";

export interface ListedEndpoint {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | Date | null;
  consecutiveFailures: number;
  lastSuccessAt: string | Date | null;
  lastFailureAt: string | Date | null;
  pending: number;
}

export interface EndpointsActionData {
  errors: Record<string, FieldError>;
  values: Record<string, string>;
  secret?: { endpointId: string; url: string; secret: string; rolled: boolean } | null;
}

export function NewSecret({ shown }: { shown: NonNullable<EndpointsActionData["secret"]> }) {
  const { t } = useTranslation("webhooks");
  return (
    <ShownOnceSecret
      id="new-secret"
      title={t("secretTitle", { url: shown.url })}
      titleBreaksAnywhere
      notes={shown.rolled ? [t("secretWarning"), t("secretRolled")] : [t("secretWarning")]}
      secretLabel={t("secretLabel")}
      secret={shown.secret}
      copyLabel={t("copy")}
      copiedLabel={t("copied")}
    />
  );
}

export function EndpointHealth({ endpoint }: { endpoint: ListedEndpoint }) {
  const { t } = useTranslation("webhooks");
  const locale = useFormattingLocale();
  return (
    <div className="space-y-1 text-xs text-slate-700">
      {!endpoint.enabled ? (
        <StatusBadge tone="neutral">
          {endpoint.disabledReason
            ? t("disabledBecause", { reason: endpoint.disabledReason })
            : t("disabled")}
        </StatusBadge>
      ) : endpoint.failingSince ? (
        <StatusBadge tone="danger">
          {t("failingSince", {
            date: formatDateTime(endpoint.failingSince, locale),
            count: endpoint.consecutiveFailures,
          })}
        </StatusBadge>
      ) : endpoint.lastSuccessAt ? (
        <StatusBadge tone="success">{t("healthy")}</StatusBadge>
      ) : (
        <StatusBadge tone="neutral">{t("noDeliveries")}</StatusBadge>
      )}
      {endpoint.lastSuccessAt ? (
        <p>{t("lastSuccess", { date: formatDateTime(endpoint.lastSuccessAt, locale) })}</p>
      ) : null}
      {endpoint.lastFailureAt ? (
        <p>{t("lastFailure", { date: formatDateTime(endpoint.lastFailureAt, locale) })}</p>
      ) : null}
      {endpoint.pending > 0 ? <p>{t("pending", { count: endpoint.pending })}</p> : null}
    </div>
  );
}

export function EndpointsPanel({
  endpoints,
  eventTypes,
  actionData,
  canChange,
  logHref,
}: {
  endpoints: ListedEndpoint[];
  eventTypes: readonly string[];
  actionData: EndpointsActionData | undefined;
  /** Owners (and support for the platform's) may change; others read. */
  canChange: boolean;
  logHref: (endpointId: string) => string;
}) {
  const { t } = useTranslation("webhooks");
  const navigation = useNavigation();
  const creating =
    navigation.state === "submitting" && navigation.formData?.get("intent") === "create";
  const shown = actionData?.secret ?? null;
  const eventsId = useId();
  const eventsError = useFieldErrorText()(actionData?.errors.events, t("events"));
  const values = actionData?.values ?? {};
  return (
    <div className="space-y-6">
      {shown ? <NewSecret shown={shown} /> : null}
      {endpoints.length === 0 ? (
        <EmptyState title={t("empty")}>{canChange ? t("emptyBody") : null}</EmptyState>
      ) : (
        <Table
          stackOnPhone
          caption={t("listTitle")}
          head={
            <tr>
              <th className="px-4 py-2">{t("url")}</th>
              <th className="px-4 py-2">{t("events")}</th>
              <th className="px-4 py-2">{t("health")}</th>
              <th className="px-4 py-2">
                <span className="sr-only">{t("actions")}</span>
              </th>
            </tr>
          }
        >
          {endpoints.map((endpoint) => (
            <tr key={endpoint.id} className={endpoint.enabled ? undefined : "text-slate-500"}>
              <td className="break-all px-4 py-2 font-mono text-xs">
                <Link
                  to={logHref(endpoint.id)}
                  className="text-brand-700 hover:underline"
                  aria-label={t("logLabel", { url: endpoint.url })}
                >
                  {endpoint.url}
                </Link>
              </td>
              <td data-label={t("events")} className="px-4 py-2 text-xs">
                {endpoint.events.join(", ")}
              </td>
              <td data-label={t("health")} className="px-4 py-2">
                <EndpointHealth endpoint={endpoint} />
              </td>
              <td className="px-4 py-2">
                {canChange ? (
                  <div className="flex flex-wrap justify-end gap-2">
                    <Form method="post">
                      <input type="hidden" name="intent" value="test" />
                      <input type="hidden" name="endpointId" value={endpoint.id} />
                      <Button
                        type="submit"
                        variant="secondary"
                        aria-label={t("testLabel", { url: endpoint.url })}
                      >
                        {t("test")}
                      </Button>
                    </Form>
                    <Form method="post">
                      <input
                        type="hidden"
                        name="intent"
                        value={endpoint.enabled ? "disable" : "enable"}
                      />
                      <input type="hidden" name="endpointId" value={endpoint.id} />
                      <Button
                        type="submit"
                        variant="secondary"
                        aria-label={t(endpoint.enabled ? "disableLabel" : "enableLabel", {
                          url: endpoint.url,
                        })}
                      >
                        {endpoint.enabled ? t("disable") : t("enable")}
                      </Button>
                    </Form>
                    <ConfirmedActionForm
                      intent="roll"
                      fields={{ endpointId: endpoint.id }}
                      confirm={t("confirmRoll", { url: endpoint.url })}
                      label={t("rollLabel", { url: endpoint.url })}
                    >
                      {t("roll")}
                    </ConfirmedActionForm>
                    <ConfirmedActionForm
                      intent="delete"
                      fields={{ endpointId: endpoint.id }}
                      confirm={t("confirmDelete", { url: endpoint.url })}
                      label={t("deleteLabel", { url: endpoint.url })}
                    >
                      {t("delete")}
                    </ConfirmedActionForm>
                  </div>
                ) : null}
              </td>
            </tr>
          ))}
        </Table>
      )}
      {canChange ? (
        <div className="max-w-lg">
          <Card title={t("createTitle")}>
            <Form
              key={shown && !shown.rolled ? shown.endpointId : "new"}
              method="post"
              className="space-y-4"
              noValidate
            >
              <input type="hidden" name="intent" value="create" />
              <Field
                label={t("url")}
                name="url"
                type="url"
                required
                maxLength={2000}
                autoComplete="off"
                placeholder="https://"
                hint={t("urlHint")}
                defaultValue={values.url}
                error={actionData?.errors.url}
              />
              <fieldset aria-describedby={eventsError ? `${eventsId}-error` : `${eventsId}-hint`}>
                <legend className="text-sm font-medium text-slate-800">{t("events")}</legend>
                <p id={`${eventsId}-hint`} className="mt-1 text-xs text-slate-500">
                  {t("eventsHint")}
                </p>
                <div className="mt-2 space-y-1">
                  {eventTypes.map((topic) => (
                    <label key={topic} className="flex items-center gap-2 text-sm">
                      <input
                        type="checkbox"
                        name={`event:${topic}`}
                        defaultChecked={values[`event:${topic}`] === "on"}
                        className="h-4 w-4 rounded border-slate-300"
                      />
                      <span className="font-mono">{topic}</span>
                    </label>
                  ))}
                </div>
                {eventsError ? (
                  <p id={`${eventsId}-error`} className="mt-1 text-sm text-red-700" role="alert">
                    {eventsError}
                  </p>
                ) : null}
              </fieldset>
              <Button type="submit" disabled={creating}>
                {t("create")}
              </Button>
            </Form>
          </Card>
        </div>
      ) : null}
    </div>
  );
}
