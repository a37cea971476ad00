import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { messageKey } from "~/lib/messages";
import { requireSupport } from "~/auth/guards.server";
import { Button } from "~/components/Button";
import { Field } from "~/components/Field";
import { Card, PageHeader } from "~/components/Layout";
import { db } from "~/db.server";
import { CodeMistyped } from "~/domain/codes/model.server";
import { locateCode } from "~/domain/support-codes.server";

export const meta: MetaFunction = () => [{ title: "Code look-up · 7stamp Partner Portal" }];

const Query = z.object({ q: z.string().trim().max(100).catch("") });

// A search is a GET (it changes nothing): a hit goes straight to the code's page.
export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const { q } = Query.parse({ q: new URL(args.request.url).searchParams.get("q") ?? "" });
  if (!q) return { q, error: null };
  try {
    const found = await locateCode(db, q);
    if (found) throw redirect(`/support/codes/${found.serial}`);
    return { q, error: { key: messageKey("support:codes.notFound") } };
  } catch (error) {
    if (error instanceof CodeMistyped)
      return { q, error: { key: messageKey("support:codes.mistyped") } };
    throw error;
  }
}

export default function SupportCodeSearch() {
  const { t } = useTranslation("support");
  const { q, error } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title={t("codes.title")} description={t("codes.subtitle")} />
      <Card>
        <Form method="get" role="search" className="flex flex-wrap items-start gap-3">
          <Field
            label={t("codes.search")}
            name="q"
            type="search"
            defaultValue={q}
            hint={t("codes.searchHint")}
            error={error ?? undefined}
            className="min-w-[16rem] flex-1"
            autoComplete="off"
            spellCheck={false}
          />
          <Button type="submit" className="mt-6">
            {t("codes.find")}
          </Button>
        </Form>
      </Card>
    </>
  );
}
