// /support/statements — every partner's statements in one list (filters: month, partner,
// draft / final; keyset paged), each opening the statement page and PDF the partner sees,
// and "finalise now" for ended months: the CLI's and the monthly job's own code path.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { z } from "zod";
import { requireSupport } from "~/auth/guards.server";
import { db } from "~/db.server";
import { DomainError } from "~/domain/errors.server";
import { readPage } from "~/domain/paging.server";
import { StatementFinalisationFailed } from "~/domain/statements/finalise.server";
import {
  FinaliseNowSchema,
  finaliseNow,
  listStatementsForSupport,
  SupportStatementFilterSchema,
} from "~/domain/support-statements.server";
import { fieldErrorsFrom, parseForm, parseObject } from "~/lib/forms";
import { domainErrorMessage } from "~/lib/messages";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure } from "~/lib/form-responses.server";
import { addMonths, monthOf } from "~/lib/statement-months";
import { SupportStatementsPage } from "~/components/support/StatementsPage";

export const meta: MetaFunction = () => [{ title: "Statements · Support · 7stamp Partner Portal" }];

const FILTER_FIELDS = ["month", "partner", "status"] as const;

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const params = new URL(args.request.url).searchParams;
  const values = Object.fromEntries(
    FILTER_FIELDS.flatMap((field) => {
      const value = params.get(field);
      return value ? [[field, value]] : [];
    }),
  ) as Partial<Record<(typeof FILTER_FIELDS)[number], string>>;
  const now = new Date();
  const lastEnded = addMonths(monthOf(now), -1);
  const parsed = parseObject(SupportStatementFilterSchema, values);
  if (!parsed.success) {
    // A filter no form would send: the fields say what is wrong, the list stays empty.
    return data(
      {
        rows: [],
        nextCursor: null,
        staleCursor: false,
        values,
        errors: fieldErrorsFrom(parsed.error),
        isFirstPage: true,
        lastEnded,
      },
      { status: 400 },
    );
  }
  const cursor = z.string().max(500).nullable().catch(null).parse(params.get("cursor"));
  const page = await readPage(cursor, (after) =>
    listStatementsForSupport(db, { filter: parsed.data, cursor: after, limit: 25, now }),
  );
  return { ...page, values, errors: {}, isFirstPage: !cursor || page.staleCursor, lastEnded };
}

const Intent = z.object({ intent: z.literal("finalise") });

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  const formData = await args.request.formData();
  const intent = parseForm(Intent, formData);
  if (!intent.success) return formFailure(intent);
  const form = parseForm(FinaliseNowSchema, formData);
  if (!form.success) return formFailure(form);
  const values = { intent: "finalise", month: form.data.month, partner: form.data.partner ?? "" };
  let created: number;
  try {
    const results = await finaliseNow(db, {
      ...form.data,
      actor: { userId: user.id, label: user.email },
      now: new Date(),
    });
    created = results.filter((result) => result.created).length;
  } catch (error) {
    if (error instanceof StatementFinalisationFailed) {
      return formFailure(
        {
          values,
          formError: {
            key: "support:statements.finaliseFailed",
            values: {
              partners: error.failures.map((failure) => failure.partnerSlug).join(", "),
              count: error.finalised.filter((result) => result.created).length,
            },
          },
        },
        { status: 409 },
      );
    }
    if (!(error instanceof DomainError)) throw error;
    return formFailure(
      {
        values,
        errors: { [error.field ?? "month"]: domainErrorMessage("support:errors", error.code) },
      },
      { status: error.status === 404 ? 400 : error.status },
    );
  }
  const back = new URL(args.request.url);
  return redirectWithFlash(args.request, `${back.pathname}${back.search}`, {
    kind: "success",
    key: created > 0 ? "support:statements.finalised" : "support:statements.alreadyFinal",
    values: { count: created, month: form.data.month },
  });
}

export default function SupportStatements() {
  return <SupportStatementsPage />;
}
