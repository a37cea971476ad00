// /partner/:slug/statements/:month — one month's statement ("2026-10"): the final one when
// the month is final, otherwise the draft as it stands now; its lines keyset-paged by line
// number (?after=N). A malformed month, one before enrolment or one not begun is 404.
// (The PDF route, statements/:statementId.pdf, outranks this one: its segment ends in ".pdf".)
import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData, useParams } from "@remix-run/react";
import { notFound, requirePartnerMember } from "~/auth/guards.server";
import { StatementView } from "~/components/StatementView";
import { db } from "~/db.server";
import { statementPage } from "~/domain/statement-page.server";
import { StatementMonthBeforeEnrolment } from "~/domain/statements/model.server";
import { isStatementMonth } from "~/lib/statement-months";
import { readLinesQuery } from "~/lib/statement-lines-query";

export const meta: MetaFunction = ({ params }) => [
  { title: `Statement ${params.month ?? ""} · 7stamp Partner Portal` },
];

export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug);
  const month = args.params.month ?? "";
  if (!isStatementMonth(month)) throw notFound();
  const { after, badPage } = readLinesQuery(args.request);
  try {
    const page = await statementPage(db, { partnerId: partner.id, month, after, now: new Date() });
    // A forged page link still gets the first page, with a word about it.
    return data({ ...page, badPage }, { status: badPage ? 400 : 200 });
  } catch (error) {
    // Before the partner's first month, or a month that has not begun: no such page.
    if (error instanceof StatementMonthBeforeEnrolment) throw notFound();
    throw error;
  }
}

export default function PartnerStatement() {
  const loaded = useLoaderData<typeof loader>();
  const base = `/partner/${useParams().slug}`;
  return (
    <StatementView
      loaded={loaded}
      links={{
        list: `${base}/statements`,
        self: `${base}/statements/${loaded.statement.month}`,
        pdf: (id) => `${base}/statements/${id}.pdf`,
        code: (serial) => `${base}/codes/${serial}`,
        business: (businessId) => `${base}/clients/${businessId}`,
      }}
    />
  );
}
