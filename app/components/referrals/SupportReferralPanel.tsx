// Support's referral panel on a business's or a partner's page: connect (slug suggested),
// edit the link and rule, pause / disconnect. The page's loader gives `referral`; its action
// handles the three `referral*` intents (app/lib/referral-intents.server.ts).
import { Form, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "~/components/Button";
import { Field, FormAlert, SelectField } from "~/components/Field";
import { Card } from "~/components/Layout";
import { StatusBadge } from "~/components/StatusBadge";
import { ReasonField } from "~/components/support/ReasonField";
import type { ReferralPanel } from "~/domain/referrals/reads.server";
import type { FieldError, FieldErrors } from "~/lib/forms";
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

/** One of the panel's forms: its intent, the account it acts on, and the failure it answers. */
function ReferralForm({
  intent,
  accountId,
  failure,
  className,
  children,
}: {
  intent: string;
  accountId?: string;
  failure: Failure | undefined;
  className: string;
  children: ReactNode;
}) {
  return (
    <Form method="post" className={className} noValidate>
      <input type="hidden" name="intent" value={intent} />
      {accountId ? <input type="hidden" name="accountId" value={accountId} /> : null}
      <FormAlert message={failure?.formError} />
      {children}
    </Form>
  );
}

function SlugField({
  defaultValue,
  error,
  className,
}: {
  defaultValue: string;
  error: FieldError | undefined;
  className: string;
}) {
  const { t } = useTranslation("referrals");
  return (
    <Field
      label={t("panel.slug")}
      name="slug"
      hint={t("panel.slugHint")}
      defaultValue={defaultValue}
      error={error}
      className={className}
    />
  );
}

// The rule's numbers as support edits them: a partner earns statement credit, a business
// bonus operations (a partner's form sends its referrer operations as 0).
const ruleLabels = {
  referredOperations: "panel.referredOperations",
  referrerOperations: "panel.referrerOperations",
  referrerCreditCents: "panel.referrerCredit",
  bonusMonths: "panel.bonusMonths",
} as const;
const partnerRuleFields = ["referredOperations", "referrerCreditCents", "bonusMonths"] as const;
const businessRuleFields = ["referredOperations", "referrerOperations", "bonusMonths"] as const;

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
        <ReferralForm
          key={location.key}
          intent="referralConnect"
          failure={connectFailure}
          className="flex flex-wrap items-end gap-3"
        >
          <SlugField
            defaultValue={connectFailure?.values.slug ?? referral.suggestedSlug}
            error={connectFailure?.errors?.slug}
            className="min-w-64 flex-1"
          />
          <Button type="submit" disabled={busy}>
            {t("panel.connect")}
          </Button>
        </ReferralForm>
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
      <ReferralForm
        key={`edit-${location.key}`}
        intent="referralEdit"
        accountId={account.id}
        failure={editFailure}
        className="grid gap-4 sm:grid-cols-2"
      >
        <SlugField
          defaultValue={values.slug ?? account.slug}
          error={errors.slug}
          className="sm:col-span-2"
        />
        {referral.isPartner ? <input type="hidden" name="referrerOperations" value="0" /> : null}
        {(referral.isPartner ? partnerRuleFields : businessRuleFields).map((name) => (
          <Field
            key={name}
            label={t(ruleLabels[name])}
            name={name}
            inputMode="numeric"
            defaultValue={values[name] ?? String(account.rule[name])}
            error={errors[name]}
          />
        ))}
        <ReasonField defaultValue={values.reason} error={errors.reason} />
        <p className="text-xs text-slate-500 sm:col-span-2">{t("panel.ruleNote")}</p>
        <div className="sm:col-span-2">
          <Button type="submit" disabled={busy}>
            {t("panel.save")}
          </Button>
        </div>
      </ReferralForm>
      <ReferralForm
        key={`status-${location.key}`}
        intent="referralStatus"
        accountId={account.id}
        failure={statusFailure}
        className="mt-6 grid gap-4 border-t border-slate-200 pt-4 sm:grid-cols-3"
      >
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
      </ReferralForm>
    </Card>
  );
}
