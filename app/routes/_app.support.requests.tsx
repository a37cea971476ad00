// /support/requests — Custom / Enterprise requests from businesses' billing pages: open or
// handled, newest first, paged; support marks one handled with a note (once: the second person
// is told who was first).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { notFound, requireSupport } from "~/auth/guards.server";
import { Button } from "~/components/Button";
import { FormAlert, TextAreaField } from "~/components/Field";
import { EmptyState, PageHeader, Pager, StaleCursorNotice } from "~/components/Layout";
import { StatusBadge } from "~/components/StatusBadge";
import { db } from "~/db.server";
import {
  handleEnterpriseRequest,
  HandleRequestSchema,
  listEnterpriseRequests,
  RequestAlreadyHandled,
  RequestNotFound,
  type EnterpriseRequestRow,
} from "~/domain/enterprise-requests.server";
import { readPage } from "~/domain/paging.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { ENTERPRISE_LIMITS } from "~/lib/pricing-limits";
import { formFailure } from "~/lib/form-responses.server";
import { formatDateTime, formatNumber } from "~/lib/format";
import { parseForm } from "~/lib/forms";
import { useFormattingLocale } from "~/root";

export const meta: MetaFunction = () => [
  { title: "Enterprise requests · Support · 7stamp Partner Portal" },
];

const Query = z.object({
  status: z.enum(["open", "handled", "all"]).catch("open"),
  cursor: z.string().max(500).nullable().catch(null),
});

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const params = new URL(args.request.url).searchParams;
  const query = Query.parse({
    status: params.get("status") ?? "open",
    cursor: params.get("cursor"),
  });
  const page = await readPage(query.cursor, (cursor) =>
    listEnterpriseRequests(db, { status: query.status, cursor, limit: 25 }),
  );
  return { ...page, status: query.status, isFirstPage: !query.cursor || page.staleCursor };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  const form = parseForm(HandleRequestSchema, await args.request.formData());
  if (!form.success) return formFailure(form);
  try {
    const handled = await handleEnterpriseRequest(db, {
      requestId: form.data.requestId,
      note: form.data.note,
      actor: { userId: user.id, label: user.email },
      ip: args.context.clientIp,
      now: new Date(),
    });
    const here = new URL(args.request.url);
    return redirectWithFlash(args.request, `/support/requests${here.search}`, {
      kind: "success",
      key: "support:requests.handled",
      values: { business: handled.businessName },
    });
  } catch (error) {
    if (error instanceof RequestNotFound) throw notFound();
    if (error instanceof RequestAlreadyHandled) {
      return formFailure(
        {
          values: { requestId: form.data.requestId, note: form.data.note },
          formError: {
            key: "support:requests.alreadyHandled",
            values: { by: error.handledBy ?? "—" },
          },
        },
        { status: 409 },
      );
    }
    throw error;
  }
}

const filters = ["open", "handled", "all"] as const;

export default function SupportRequests() {
  const { t } = useTranslation(["support", "common"]);
  const { rows, nextCursor, status, isFirstPage, staleCursor } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title={t("requests.title")} description={t("requests.subtitle")} />
      <StaleCursorNotice show={staleCursor} />
      <nav aria-label={t("requests.filter")} className="mb-4 flex flex-wrap gap-2">
        {filters.map((filter) => (
          <Link
            key={filter}
            to={`?status=${filter}`}
            aria-current={filter === status ? "page" : undefined}
            className={`rounded-full px-3 py-1 text-sm ring-1 ${
              filter === status
                ? "bg-brand-600 text-white ring-brand-600"
                : "text-slate-700 ring-slate-300 hover:bg-slate-50"
            }`}
          >
            {t(`requests.filters.${filter}`)}
          </Link>
        ))}
      </nav>
      {rows.length === 0 ? (
        <EmptyState title={t(`requests.empty.${status}`)} />
      ) : (
        <ul className="space-y-4">
          {rows.map((row) => (
            <RequestItem key={row.id} request={row} />
          ))}
        </ul>
      )}
      <Pager
        nextHref={nextCursor ? `?status=${status}&cursor=${nextCursor}` : null}
        firstHref={isFirstPage ? null : `?status=${status}`}
        labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
      />
    </>
  );
}

type RequestView = Omit<EnterpriseRequestRow, "createdAt" | "handledAt"> & {
  createdAt: string | Date;
  handledAt: string | Date | null;
};

function RequestItem({ request }: { request: RequestView }) {
  const { t } = useTranslation(["support", "common"]);
  const locale = useFormattingLocale();
  const actionData = useActionData<typeof action>();
  const failure = actionData?.values.requestId === request.id ? actionData : undefined;
  const busy = useNavigation().state === "submitting";
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div>
          <h2 className="font-semibold">
            <Link
              to={`/support/businesses/${request.businessId}`}
              className="text-brand-700 hover:underline"
            >
              {request.businessName}
            </Link>
          </h2>
          <p className="text-xs text-slate-600">
            {t("requests.from", {
              who: request.requestedBy ?? "—",
              when: formatDateTime(request.createdAt, locale),
              plan: request.planName,
            })}
          </p>
        </div>
        <StatusBadge tone={request.status === "open" ? "warning" : "success"}>
          {t(`requests.status.${request.status}`)}
        </StatusBadge>
      </div>
      <dl className="mt-3 grid gap-2 text-sm sm:grid-cols-2">
        <div>
          <dt className="text-slate-600">{t("requests.locations")}</dt>
          <dd className="font-medium tabular-nums">{formatNumber(request.locations, locale)}</dd>
        </div>
        <div>
          <dt className="text-slate-600">{t("requests.operations")}</dt>
          <dd className="font-medium tabular-nums">
            {formatNumber(request.cardOperationsPerMonth, locale)}
          </dd>
        </div>
      </dl>
      {request.message ? (
        <p className="mt-3 whitespace-pre-line rounded-md bg-slate-50 p-3 text-sm text-slate-800">
          {request.message}
        </p>
      ) : null}
      {request.status === "handled" ? (
        <p className="mt-3 text-sm text-slate-700">
          {t("requests.handledBy", {
            who: request.handledBy ?? "—",
            when: request.handledAt ? formatDateTime(request.handledAt, locale) : "—",
          })}
          {request.note ? <span className="mt-1 block italic">“{request.note}”</span> : null}
        </p>
      ) : (
        <Form method="post" className="mt-3 space-y-2" noValidate>
          <FormAlert message={failure?.formError} />
          <input type="hidden" name="requestId" value={request.id} />
          <TextAreaField
            label={t("requests.note")}
            name="note"
            required
            rows={2}
            maxLength={ENTERPRISE_LIMITS.noteLength}
            defaultValue={failure?.values.note}
            error={failure?.errors.note}
          />
          <Button type="submit" disabled={busy}>
            {t("requests.markHandled")}
          </Button>
        </Form>
      )}
    </li>
  );
}
