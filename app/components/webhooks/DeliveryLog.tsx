// One endpoint's delivery log (partner and support pages alike): filter by event type and
// outcome, each delivery with its attempts (time, status code, duration, error, the answer's
// first 1 kB, next retry), "Resend" per delivery and "Send test event", paged.
import { Form, Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Button } from "~/components/Button";
import { SelectField } from "~/components/Field";
import { EmptyState, PageHeader, Pager, StaleCursorNotice } from "~/components/Layout";
import { StatusBadge } from "~/components/StatusBadge";
import { EndpointHealth, type ListedEndpoint } from "~/components/webhooks/EndpointsPanel";
import { formatDateTime } from "~/lib/format";
import { useFormattingLocale } from "~/root";

type Outcome = "pending" | "delivered" | "failed";

export interface LoggedDelivery {
  id: number;
  eventId: number;
  type: string;
  status: Outcome;
  attempts: number;
  nextAttemptAt: string | Date | null;
  createdAt: string | Date;
  log: {
    attemptedAt: string | Date;
    statusCode: number | null;
    durationMs: number;
    responseExcerpt: string;
    error: string | null;
    nextAttemptAt: string | Date | null;
  }[];
}

const tone = { pending: "warning", delivered: "success", failed: "danger" } as const;

interface DeliveryLogProps {
  deliveries: LoggedDelivery[];
  eventTypes: readonly string[];
  filter: { type: string | null; outcome: Outcome | null };
  nextHref: string | null;
  firstHref: string | null;
  staleCursor: boolean;
  canChange: boolean;
}

/** The log's page, the partner's and support's: back to the endpoints, the endpoint, its log. */
export function DeliveryLogPage({
  backHref,
  endpoint,
  ...log
}: DeliveryLogProps & { backHref: string; endpoint: ListedEndpoint }) {
  const { t } = useTranslation("webhooks");
  return (
    <>
      <p className="mb-2 text-sm">
        <Link to={backHref} className="text-brand-700 hover:underline">
          ← {t("back")}
        </Link>
      </p>
      <PageHeader
        title={t("logTitle")}
        description={<span className="break-all">{t("logSubtitle", { url: endpoint.url })}</span>}
      />
      <div className="mb-4">
        <EndpointHealth endpoint={endpoint} />
      </div>
      <DeliveryLog {...log} />
    </>
  );
}

export function DeliveryLog({
  deliveries,
  eventTypes,
  filter,
  nextHref,
  firstHref,
  staleCursor,
  canChange,
}: DeliveryLogProps) {
  const { t } = useTranslation(["webhooks", "common"]);
  const locale = useFormattingLocale();
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <Form method="get" className="flex flex-wrap items-end gap-3">
          <SelectField
            label={t("filterType")}
            name="type"
            defaultValue={filter.type ?? ""}
            options={[
              { value: "", label: t("anyType") },
              ...eventTypes.map((type) => ({ value: type, label: type })),
            ]}
          />
          <SelectField
            label={t("filterOutcome")}
            name="outcome"
            defaultValue={filter.outcome ?? ""}
            options={[
              { value: "", label: t("anyOutcome") },
              ...(["pending", "delivered", "failed"] as const).map((outcome) => ({
                value: outcome,
                label: t(`outcomes.${outcome}`),
              })),
            ]}
          />
          <Button type="submit" variant="secondary">
            {t("filter")}
          </Button>
        </Form>
        {canChange ? (
          <Form method="post">
            <input type="hidden" name="intent" value="test" />
            <Button type="submit">{t("test")}</Button>
          </Form>
        ) : null}
      </div>
      <StaleCursorNotice show={staleCursor} />
      {deliveries.length === 0 ? (
        <EmptyState title={t("logEmpty")}>{t("logEmptyBody")}</EmptyState>
      ) : (
        <ul className="space-y-3" aria-label={t("deliveries")}>
          {deliveries.map((delivery) => (
            <li
              key={delivery.id}
              className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
            >
              <div className="flex flex-wrap items-center justify-between gap-2">
                <div className="flex flex-wrap items-center gap-2">
                  <span className="font-mono text-sm font-semibold">{delivery.type}</span>
                  <span className="text-xs text-slate-600">
                    {t("eventId", { id: delivery.eventId })}
                  </span>
                  <StatusBadge tone={tone[delivery.status]}>
                    {t(`outcomes.${delivery.status}`)}
                  </StatusBadge>
                  {delivery.status === "pending" && delivery.nextAttemptAt ? (
                    <span className="text-xs text-slate-600">
                      {t("nextRetry")}: {formatDateTime(delivery.nextAttemptAt, locale)}
                    </span>
                  ) : null}
                </div>
                {canChange ? (
                  <Form method="post">
                    <input type="hidden" name="intent" value="resend" />
                    <input type="hidden" name="deliveryId" value={delivery.id} />
                    <Button
                      type="submit"
                      variant="secondary"
                      aria-label={t("resendLabel", { eventId: delivery.eventId })}
                    >
                      {t("resend")}
                    </Button>
                  </Form>
                ) : null}
              </div>
              {delivery.log.length === 0 ? (
                <p className="mt-2 text-sm text-slate-600">{t("noAttempts")}</p>
              ) : (
                <div className="mt-3 overflow-x-auto">
                  <table className="min-w-full text-left text-xs">
                    <caption className="sr-only">
                      {t("attempts")} · {t("eventId", { id: delivery.eventId })}
                    </caption>
                    <thead className="text-slate-600">
                      <tr>
                        <th className="py-1 pr-3">{t("time")}</th>
                        <th className="py-1 pr-3">{t("statusCode")}</th>
                        <th className="py-1 pr-3">{t("duration")}</th>
                        <th className="py-1 pr-3">{t("error")}</th>
                        <th className="py-1 pr-3">{t("answer")}</th>
                      </tr>
                    </thead>
                    <tbody className="divide-y divide-slate-100">
                      {delivery.log.map((attempt, i) => (
                        <tr key={i}>
                          <td className="whitespace-nowrap py-1 pr-3">
                            {formatDateTime(attempt.attemptedAt, locale)}
                          </td>
                          <td className="py-1 pr-3 font-mono">
                            {attempt.statusCode ?? t("noStatus")}
                          </td>
                          <td className="whitespace-nowrap py-1 pr-3">
                            {t("durationMs", { ms: attempt.durationMs })}
                          </td>
                          <td className="py-1 pr-3">{attempt.error ?? ""}</td>
                          <td
                            className="max-w-xs truncate py-1 pr-3 font-mono"
                            title={attempt.responseExcerpt}
                          >
                            {attempt.responseExcerpt.slice(0, 200)}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <Pager
        nextHref={nextHref}
        firstHref={firstHref}
        labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
      />
    </div>
  );
}
