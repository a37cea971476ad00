// Support's referral panel on a business's or a partner's page: connect (slug suggested),
// edit the link and rule, pause / disconnect. The page's loader gives `referral`; its action
// handles the three `referral*` intents (app/lib/referral-intents.server.ts).
import { Form, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Button } from "~/components/Button";
import { Field, FormAlert, SelectField } from "~/components/Field";
import { Card } from "~/components/Layout";
import { StatusBadge } from "~/components/StatusBadge";
import { ReasonField } from "~/components/support/ReasonField";
import type { ReferralPanel } from "~/domain/referrals/reads.server";
import type { FieldErrors } from "~/lib/forms";
import type { Message } from "~/lib/messages";

interface Failure {
  values: Record<string, string>;
  errors?: FieldErrors;
  formError?: Message | null;
}

function useReferralFailure(intent: string): Failure | undefined {
  const data = useActionData<Failure>();
  return data && data.values?.intent === intent ? data : undefined;
}

const tone = { connected: "success", paused: "warning", disconnected: "neutral" } as const;

export function SupportReferralPanel() {
  const { t } = useTranslation(["referrals", "support"]);
  const { referral } = useLoaderData<{ referral: ReferralPanel }>();
  const busy = useNavigation().state === "submitting";
  const location = useLocation();
  const connectFailure = useReferralFailure("referralConnect");
  const editFailure = useReferralFailure("referralEdit");
  const statusFailure = useReferralFailure("referralStatus");
  const account = referral.account;
  if (!account || account.status === "disconnected") {
    return (
      <Card title={t("panel.title")}>
        {account ? (
          <p className="mb-3 text-sm">
            <StatusBadge tone="neutral">{t("status.disconnected")}</StatusBadge>{" "}
            <span className="font-mono text-xs">{account.link}</span>
          </p>
        ) : null}
        <p className="mb-4 text-sm text-slate-600">{t("panel.notConnected")}</p>
        <Form
          key={location.key}
          method="post"
          className="flex flex-wrap items-end gap-3"
          noValidate
        >
          <input type="hidden" name="intent" value="referralConnect" />
          <FormAlert message={connectFailure?.formError} />
          <Field
            label={t("panel.slug")}
            name="slug"
            hint={t("panel.slugHint")}
            defaultValue={connectFailure?.values.slug ?? referral.suggestedSlug}
            error={connectFailure?.errors?.slug}
            className="min-w-64 flex-1"
          />
          <Button type="submit" disabled={busy}>
            {t("panel.connect")}
          </Button>
        </Form>
      </Card>
    );
  }
  const values = editFailure?.values ?? {};
  const errors = editFailure?.errors ?? {};
  return (
    <Card title={t("panel.title")}>
      <dl className="mb-4 grid gap-2 text-sm sm:grid-cols-2">
        <div>
          <dt className="text-slate-600">{t("panel.link")}</dt>
          <dd className="break-all font-mono text-xs" data-testid="referral-link">
            {account.link}
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">{t("panel.status")}</dt>
          <dd>
            <StatusBadge tone={tone[account.status]}>{t(`status.${account.status}`)}</StatusBadge>{" "}
            <span className="text-xs text-slate-500">
              {t("panel.ruleVersion", { version: account.ruleVersion })}
            </span>
          </dd>
        </div>
      </dl>
      <Form
        key={`edit-${location.key}`}
        method="post"
        className="grid gap-4 sm:grid-cols-2"
        noValidate
      >
        <input type="hidden" name="intent" value="referralEdit" />
        <input type="hidden" name="accountId" value={account.id} />
        <FormAlert message={editFailure?.formError} />
        <Field
          label={t("panel.slug")}
          name="slug"
          hint={t("panel.slugHint")}
          defaultValue={values.slug ?? account.slug}
          error={errors.slug}
          className="sm:col-span-2"
        />
        <Field
          label={t("panel.referredOperations")}
          name="referredOperations"
          inputMode="numeric"
          defaultValue={values.referredOperations ?? String(account.rule.referredOperations)}
          error={errors.referredOperations}
        />
        {referral.isPartner ? (
          <>
            <input type="hidden" name="referrerOperations" value="0" />
            <Field
              label={t("panel.referrerCredit")}
              name="referrerCreditCents"
              inputMode="numeric"
              defaultValue={values.referrerCreditCents ?? String(account.rule.referrerCreditCents)}
              error={errors.referrerCreditCents}
            />
          </>
        ) : (
          <Field
            label={t("panel.referrerOperations")}
            name="referrerOperations"
            inputMode="numeric"
            defaultValue={values.referrerOperations ?? String(account.rule.referrerOperations)}
            error={errors.referrerOperations}
          />
        )}
        <Field
          label={t("panel.bonusMonths")}
          name="bonusMonths"
          inputMode="numeric"
          defaultValue={values.bonusMonths ?? String(account.rule.bonusMonths)}
          error={errors.bonusMonths}
        />
        <ReasonField defaultValue={values.reason} error={errors.reason} />
        <p className="text-xs text-slate-500 sm:col-span-2">{t("panel.ruleNote")}</p>
        <div className="sm:col-span-2">
          <Button type="submit" disabled={busy}>
            {t("panel.save")}
          </Button>
        </div>
      </Form>
      <Form
        key={`status-${location.key}`}
        method="post"
        className="mt-6 grid gap-4 border-t border-slate-200 pt-4 sm:grid-cols-3"
        noValidate
      >
        <input type="hidden" name="intent" value="referralStatus" />
        <input type="hidden" name="accountId" value={account.id} />
        <FormAlert message={statusFailure?.formError} />
        <SelectField
          label={t("panel.newStatus")}
          name="status"
          defaultValue={
            statusFailure?.values.status ??
            (account.status === "connected" ? "paused" : "connected")
          }
          error={statusFailure?.errors?.status}
          options={(["connected", "paused", "disconnected"] as const).map((s) => ({
            value: s,
            label: t(`status.${s}`),
          }))}
        />
        <ReasonField
          defaultValue={statusFailure?.values.reason}
          error={statusFailure?.errors?.reason}
        />
        <div className="self-end">
          <Button type="submit" variant="secondary" disabled={busy}>
            {t("panel.applyStatus")}
          </Button>
        </div>
      </Form>
    </Card>
  );
}
