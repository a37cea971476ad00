// /support/partners/:slug/statements/:month — the statement page the partner sees, for
// support: the same reads and the same view, its links leading to the support desk's pages;
// an ended month not final yet offers "finalise now" (the same path as the CLI and the job).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { notFound, requireSupport } from "~/auth/guards.server";
import { ConfirmedActionForm } from "~/components/ConfirmedActionForm";
import { FormAlert } from "~/components/Field";
import { StatementView } from "~/components/StatementView";
import { db } from "~/db.server";
import { DomainError } from "~/domain/errors.server";
import { findPartnerForSupport } from "~/domain/partner-admin.server";
import { statementPage } from "~/domain/statement-page.server";
import { StatementMonthBeforeEnrolment } from "~/domain/statements/model.server";
import { finaliseNow } from "~/domain/support-statements.server";
import { domainErrorMessage } from "~/lib/messages";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure } from "~/lib/form-responses.server";
import { parseForm } from "~/lib/forms";
import { isPartnerSlug } from "~/lib/ids";
import { readLinesQuery } from "~/lib/statement-lines-query";
import { formatStatementMonth, isStatementMonth } from "~/lib/statement-months";

export const meta: MetaFunction = ({ params }) => [
  { title: `Statement ${params.month ?? ""} · Support · 7stamp Partner Portal` },
];

async function partnerOf(slug: string | undefined) {
  if (!isPartnerSlug(slug)) throw notFound();
  const partner = await findPartnerForSupport(db, slug);
  if (!partner) throw notFound();
  return partner;
}

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const partner = await partnerOf(args.params.slug);
  const month = args.params.month ?? "";
  if (!isStatementMonth(month)) throw notFound();
  const { after, badPage } = readLinesQuery(args.request);
  try {
    const page = await statementPage(db, { partnerId: partner.id, month, after, now: new Date() });
    return data(
      { ...page, badPage, partner: { slug: partner.slug, name: partner.name } },
      { status: badPage ? 400 : 200 },
    );
  } catch (error) {
    if (error instanceof StatementMonthBeforeEnrolment) throw notFound();
    throw error;
  }
}

const Intent = z.object({ intent: z.literal("finalise") });

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  const partner = await partnerOf(args.params.slug);
  const month = args.params.month ?? "";
  if (!isStatementMonth(month)) throw notFound();
  const intent = parseForm(Intent, await args.request.formData());
  if (!intent.success) return formFailure(intent);
  try {
    await finaliseNow(db, {
      month,
      partner: partner.slug,
      actor: { userId: user.id, label: user.email },
      now: new Date(),
    });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return formFailure(
      { formError: domainErrorMessage("support:errors", error.code) },
      { status: error.status === 404 ? 400 : error.status },
    );
  }
  return redirectWithFlash(args.request, `/support/partners/${partner.slug}/statements/${month}`, {
    kind: "success",
    key: "support:statements.finalisedOne",
    values: { month },
  });
}

export default function SupportStatement() {
  const { t } = useTranslation("support");
  const loaded = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const base = `/support/partners/${loaded.partner.slug}`;
  const { statement, running } = loaded;
  const period = formatStatementMonth(statement.month, loaded.locale);
  return (
    <>
      <p className="mb-2 text-sm">
        <Link to={base} className="text-brand-700 hover:underline">
          ← {loaded.partner.name}
        </Link>
      </p>
      {failure ? (
        <div className="mb-4">
          <FormAlert message={failure.formError} />
        </div>
      ) : null}
      <StatementView
        loaded={loaded}
        links={{
          list: `/support/statements?partner=${encodeURIComponent(loaded.partner.slug)}`,
          self: `${base}/statements/${statement.month}`,
          pdf: (id) => `${base}/statements/${id}.pdf`,
          code: (serial) => `/support/codes/${serial}`,
          business: (businessId) => `/support/businesses/${businessId}`,
        }}
        actions={
          statement.status === "draft" && !running ? (
            <ConfirmedActionForm
              intent="finalise"
              confirm={t("statements.confirmFinalise", { period, partner: loaded.partner.name })}
              disabled={busy}
            >
              {t("statements.finaliseNow")}
            </ConfirmedActionForm>
          ) : null
        }
      />
    </>
  );
}
