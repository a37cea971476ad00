// The business's billing page (laid out like 7stamp's own): claimed codes, the tariff plan
// and its dialogs, this month's card operations and seats. Its loader and action stay in
// app/routes/_app.business.$businessId.billing.tsx.
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useLocation,
  useNavigate,
  useNavigation,
  useSearchParams,
} from "@remix-run/react";
import { useEffect, useId, useRef, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Button, buttonClasses } from "~/components/Button";
import { ClaimedCodeBlock } from "~/components/ClaimedCodeBlock";
import { Field, FormAlert, TextAreaField, useFieldErrorText } from "~/components/Field";
import { Card, EmptyState, PageHeader } from "~/components/Layout";
import { PastDueBanner } from "~/components/billing/PastDueBanner";
import { ProgressBar } from "~/components/ProgressBar";
import { ChangePreview, previewOf } from "~/components/subscription/ChangePreview";
import { labelKey } from "~/lib/messages";
import { planAllowanceTone } from "~/lib/operations-left";
import { useLiveLoaderData } from "~/lib/use-polling";
import { type PlanOption } from "~/domain/plans.server";
import { ENTERPRISE_LIMITS } from "~/lib/pricing-limits";
import { formatDate, formatMoney, formatNumber } from "~/lib/format";
import { useFormattingLocale } from "~/root";

import type { action, loader } from "~/routes/_app.business.$businessId.billing";

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;
type ActionData = ReturnType<typeof useActionData<typeof action>>;

/** How often the page asks for fresh usage. */
const USAGE_POLL_MS = 5000;

export function BillingPage() {
  const { t } = useTranslation(["business"]);
  // Card operations arrive from the tills all the time: the bars follow them.
  const { business, role, entitlements, subscription } =
    useLiveLoaderData<typeof loader>(USAGE_POLL_MS);
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const owner = role === "owner";
  const editing = owner && searchParams.get("edit") === "plan";
  const requesting = owner && searchParams.get("edit") === "enterprise";
  const base = `/business/${business.id}/billing`;
  const claimFailure =
    actionData?.values.intent === "claim"
      ? { place: actionData.values.place === "dialog" ? "dialog" : "section", data: actionData }
      : null;

  return (
    <>
      <PageHeader
        title={t("billing.title")}
        description={t("billing.subtitle", { business: business.name })}
      />
      {owner ? <PastDueBanner businessId={business.id} pastDue={subscription?.pastDue} /> : null}
      {owner ? null : (
        <p className="mb-6 rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-600">
          {t("billing.readOnly")}
        </p>
      )}
      <div className="space-y-6">
        <ActivationCodes
          grants={entitlements.grants}
          claimForm={
            owner ? (
              <ClaimForm
                action={base}
                place="section"
                failure={claimFailure?.place === "section" ? claimFailure.data : undefined}
              />
            ) : null
          }
          owner={owner}
        />
        <TariffPlan
          entitlements={entitlements}
          subscription={subscription}
          owner={owner}
          base={base}
          editing={editing || requesting}
        />
        <AvailableServices entitlements={entitlements} />
      </div>
      {editing ? (
        <PlanDialog
          base={base}
          failure={actionData}
          claimFailure={claimFailure?.place === "dialog" ? claimFailure.data : undefined}
        />
      ) : null}
      {requesting ? (
        <EnterpriseDialog
          base={base}
          failure={actionData?.values.intent === "enterprise-request" ? actionData : undefined}
        />
      ) : null}
    </>
  );
}

// ---- Activation Codes ---------------------------------------------------------------------

function ActivationCodes({
  grants,
  claimForm,
  owner,
}: {
  grants: LoaderData["entitlements"]["grants"];
  claimForm: React.ReactNode;
  owner: boolean;
}) {
  const { t } = useTranslation(["business"]);
  return (
    <Card title={t("codes.sectionTitle")}>
      {grants.length === 0 ? (
        <EmptyState title={t("codes.empty")}>
          {owner ? t("codes.emptyOwner") : t("codes.emptyStaff")}
        </EmptyState>
      ) : (
        <div className="space-y-4">
          {grants.map((grant) => (
            <ClaimedCodeBlock key={grant.id} grant={grant} />
          ))}
        </div>
      )}
      {claimForm ? <div className="mt-6 border-t border-slate-100 pt-5">{claimForm}</div> : null}
    </Card>
  );
}

function ClaimForm({
  action,
  place,
  failure,
}: {
  action: string;
  place: "section" | "dialog";
  failure: ActionData | undefined;
}) {
  const { t } = useTranslation(["business"]);
  const location = useLocation();
  const busy = useNavigation().state === "submitting";
  return (
    // Keyed by the location: after a claim the field is empty again.
    <Form
      key={location.key}
      method="post"
      action={action}
      className="flex flex-col gap-3 sm:flex-row sm:items-start"
      noValidate
    >
      <input type="hidden" name="intent" value="claim" />
      <input type="hidden" name="place" value={place} />
      <Field
        className="flex-1"
        label={t("claim.label")}
        name="code"
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        maxLength={100}
        hint={t("claim.hint")}
        defaultValue={failure?.values.code ?? ""}
        error={failure?.errors.code}
      />
      <Button type="submit" className="shrink-0 sm:mt-6" disabled={busy}>
        {t("claim.submit")}
      </Button>
    </Form>
  );
}

// ---- Your Tariff Plan ---------------------------------------------------------------------

function usePlanPrice() {
  const { t } = useTranslation(["business"]);
  const locale = useFormattingLocale();
  return (plan: { billingInterval: string; priceCents: number }) =>
    plan.billingInterval === "none"
      ? t("plan.foreverFree")
      : plan.billingInterval === "custom"
        ? t("plan.byArrangement")
        : t(labelKey("business:plan.pricePer", plan.billingInterval), {
            price: formatMoney(plan.priceCents, locale),
          });
}

function TariffPlan({
  entitlements,
  subscription,
  owner,
  base,
  editing,
}: {
  entitlements: LoaderData["entitlements"];
  subscription: LoaderData["subscription"];
  owner: boolean;
  base: string;
  editing: boolean;
}) {
  const { t } = useTranslation(["business", "subscription"]);
  const locale = useFormattingLocale();
  const price = usePlanPrice();
  const { plan } = entitlements;
  const editLink = useRef<HTMLAnchorElement>(null);
  const wasEditing = useRef(editing);
  // Closing the dialog gives the focus back to the button that opened it.
  useEffect(() => {
    if (wasEditing.current && !editing) editLink.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  return (
    <Card
      title={t("plan.sectionTitle")}
      actions={
        owner ? (
          <Link
            ref={editLink}
            to={`${base}?edit=plan`}
            preventScrollReset
            aria-haspopup="dialog"
            className={buttonClasses("secondary", "uppercase tracking-wide")}
          >
            {t("plan.edit")}
          </Link>
        ) : null
      }
    >
      <div className="rounded-lg border border-brand-100 bg-brand-50 p-5">
        <p className="text-xs font-semibold uppercase tracking-wide text-brand-700">
          {t("plan.current")}
        </p>
        <p className="mt-1 text-xl font-semibold text-slate-900">{plan.name}</p>
        <p className="text-sm text-slate-700">
          {price(plan)}
          {plan.perLocation ? ` · ${t("plan.locations", { count: plan.locations })}` : null}
        </p>
        <dl className="mt-4 grid gap-3 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-slate-600">{t("plan.billingDate")}</dt>
            <dd className="font-medium">
              {plan.nextBillingAt
                ? formatDate(plan.nextBillingAt, locale)
                : plan.billingInterval === "custom"
                  ? t("plan.byArrangement")
                  : t("plan.noCharge")}
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">{t("plan.created")}</dt>
            <dd className="font-medium">{formatDate(plan.startedAt, locale)}</dd>
          </div>
          <div>
            <dt className="text-slate-600">{t("plan.nextCharge")}</dt>
            <dd className="font-medium">
              {subscription?.nextChargeCents != null && subscription.nextChargeAt
                ? t("plan.nextChargeOn", {
                    amount: formatMoney(subscription.nextChargeCents, locale),
                    date: formatDate(subscription.nextChargeAt, locale),
                  })
                : t("plan.noCharge")}
            </dd>
          </div>
        </dl>
        {owner ? (
          <p className="mt-4 text-sm">
            <Link
              to={`${base.replace(/\/billing$/, "")}/subscription`}
              className="font-medium text-brand-700 underline hover:text-brand-800"
            >
              {t("subscription:link")}
            </Link>
          </p>
        ) : null}
      </div>
    </Card>
  );
}

function PlanDialog({
  base,
  failure,
  claimFailure,
}: {
  base: string;
  failure: ActionData | undefined;
  claimFailure: ActionData | undefined;
}) {
  const { t } = useTranslation(["business", "subscription"]);
  const { plans, entitlements } = useLoaderData<typeof loader>();
  const titleId = useId();
  const busy = useNavigation().state === "submitting";
  const errorText = useFieldErrorText();
  const planFailure =
    failure?.values.intent === "change-plan" || failure?.values.intent === "preview-plan"
      ? failure
      : undefined;
  const preview = previewOf(failure);
  const current = entitlements.plan;
  const chosen = planFailure?.values.planId ?? current.id;
  const planError = errorText(planFailure?.errors.planId, t("planChange.plan"));
  const editUrl = `${base}?edit=plan`;

  return (
    <BillingDialog base={base} titleId={titleId} title={t("planChange.title")}>
      {preview ? (
        <ChangePreview preview={preview} action={editUrl} backHref={editUrl} />
      ) : (
        <Form method="post" action={editUrl} noValidate className="space-y-4">
          <input type="hidden" name="intent" value="preview-plan" />
          <fieldset aria-describedby={planError ? `${titleId}-plan-error` : `${titleId}-plan-hint`}>
            <legend className="text-base font-semibold">{t("planChange.plansTitle")}</legend>
            <p id={`${titleId}-plan-hint`} className="mt-1 text-sm text-slate-600">
              {t("planChange.plansHint")}
            </p>
            <div className="mt-3 grid gap-2 sm:grid-cols-2">
              {plans.map((plan) => (
                <PlanChoice
                  key={plan.id}
                  plan={plan}
                  current={plan.id === current.id}
                  defaultChecked={plan.id === chosen}
                  requestHref={`${base}?edit=enterprise`}
                />
              ))}
            </div>
            {planError ? (
              <p id={`${titleId}-plan-error`} role="alert" className="mt-2 text-sm text-red-700">
                {planError}
              </p>
            ) : null}
          </fieldset>
          <Field
            label={t("planChange.locations")}
            name="locations"
            inputMode="numeric"
            autoComplete="off"
            className="max-w-xs"
            hint={t("planChange.locationsHint")}
            defaultValue={planFailure?.values.locations ?? String(current.locations)}
            error={planFailure?.errors.locations}
          />
          <Button type="submit" disabled={busy}>
            {t("subscription:preview.submit")}
          </Button>
        </Form>
      )}
      <div className="border-t border-slate-200 pt-6">
        <h3 className="mb-3 text-base font-semibold">{t("planChange.codeTitle")}</h3>
        <ClaimForm action={editUrl} place="dialog" failure={claimFailure} />
      </div>
    </BillingDialog>
  );
}

/**
 * The billing page's modal. Rendered open by the server (works without JavaScript); in the
 * browser it becomes a real modal: the page behind is inert, Escape closes it.
 */
function BillingDialog({
  base,
  titleId,
  title,
  children,
}: {
  base: string;
  titleId: string;
  title: string;
  children: ReactNode;
}) {
  const { t } = useTranslation(["business"]);
  const navigate = useNavigate();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element || element.matches(":modal")) return;
    element.close();
    element.showModal();
  }, []);
  return (
    <>
      <div aria-hidden="true" className="fixed inset-0 z-40 bg-slate-900/50" />
      <dialog
        ref={dialog}
        open
        aria-labelledby={titleId}
        onCancel={(event) => {
          event.preventDefault();
          navigate(base, { preventScrollReset: true });
        }}
        className="fixed inset-0 z-50 m-auto h-fit max-h-[calc(100vh-2rem)] w-[calc(100%-2rem)] max-w-3xl overflow-y-auto rounded-xl bg-white p-0 text-slate-900 shadow-2xl backdrop:bg-transparent"
      >
        <div className="sticky top-0 flex items-center justify-between border-b border-slate-200 bg-white px-6 py-4">
          <h2 id={titleId} className="text-lg font-semibold">
            {title}
          </h2>
          <Link
            to={base}
            preventScrollReset
            className="rounded-md px-2 py-1 text-2xl leading-none text-slate-500 hover:bg-slate-100 hover:text-slate-800"
            aria-label={t("planChange.close")}
          >
            ×
          </Link>
        </div>
        <div className="space-y-8 px-6 py-5">{children}</div>
      </dialog>
    </>
  );
}

/** Custom / Enterprise is by request: a short form that reaches support's inbox. */
function EnterpriseDialog({ base, failure }: { base: string; failure: ActionData | undefined }) {
  const { t } = useTranslation(["business"]);
  const titleId = useId();
  const busy = useNavigation().state === "submitting";
  const values = failure?.values ?? {};
  const errors = failure?.errors ?? {};
  return (
    <BillingDialog base={base} titleId={titleId} title={t("enterprise.title")}>
      <Form method="post" action={`${base}?edit=enterprise`} noValidate className="space-y-4">
        <input type="hidden" name="intent" value="enterprise-request" />
        <p className="text-sm text-slate-600">{t("enterprise.intro")}</p>
        <FormAlert message={failure?.formError} />
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            label={t("enterprise.locations")}
            name="locations"
            inputMode="numeric"
            required
            autoComplete="off"
            defaultValue={values.locations}
            error={errors.locations}
          />
          <Field
            label={t("enterprise.operations")}
            name="cardOperationsPerMonth"
            inputMode="numeric"
            required
            autoComplete="off"
            defaultValue={values.cardOperationsPerMonth}
            error={errors.cardOperationsPerMonth}
          />
        </div>
        <TextAreaField
          label={t("enterprise.message")}
          name="message"
          maxLength={ENTERPRISE_LIMITS.messageLength}
          hint={t("enterprise.messageHint")}
          defaultValue={values.message}
          error={errors.message}
        />
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" disabled={busy}>
            {t("enterprise.submit")}
          </Button>
          <Link
            to={`${base}?edit=plan`}
            preventScrollReset
            className="text-sm font-semibold text-brand-700 hover:underline"
          >
            {t("enterprise.back")}
          </Link>
        </div>
      </Form>
    </BillingDialog>
  );
}

function PlanChoice({
  plan,
  current,
  defaultChecked,
  requestHref,
}: {
  plan: PlanOption;
  current: boolean;
  defaultChecked: boolean;
  /** Where a plan by request is asked for. */
  requestHref?: string;
}) {
  const { t } = useTranslation(["business"]);
  const locale = useFormattingLocale();
  const id = useId();
  const price = formatMoney(plan.priceCents, locale);
  const priceText =
    plan.billingInterval === "none"
      ? t("planChange.price.none")
      : t(
          labelKey(
            "business:planChange.price",
            `${plan.billingInterval}${plan.perLocation ? "PerLocation" : ""}`,
          ),
          {
            price,
          },
        );
  const details = [
    plan.cardOperationsPerMonth === null
      ? null
      : t(plan.perLocation ? "planChange.operationsPerLocation" : "planChange.operations", {
          formatted: formatNumber(plan.cardOperationsPerMonth, locale),
        }),
    plan.staffSeats === null
      ? null
      : t(plan.perLocation ? "planChange.seatsPerLocation" : "planChange.seats", {
          count: plan.staffSeats,
        }),
    plan.billingInterval === "year" ? t("planChange.yearlySaving") : null,
  ]
    .filter(Boolean)
    .join(" · ");

  if (!plan.selectable) {
    return (
      <div className="flex gap-3 rounded-lg border border-dashed border-slate-300 bg-slate-50 p-3">
        <input
          id={id}
          type="radio"
          name="planId"
          value={plan.id}
          disabled
          aria-describedby={`${id}-details`}
          className="mt-1 h-4 w-4"
        />
        <div className="flex-1">
          <label htmlFor={id} className="font-medium text-slate-700">
            {plan.name}
          </label>
          <p id={`${id}-details`} className="text-sm text-slate-600">
            {t("planChange.byRequest")}
            <span className="block text-xs text-slate-600">{t("planChange.byRequestHint")}</span>
          </p>
          {requestHref ? (
            <Link
              to={requestHref}
              preventScrollReset
              className="mt-2 inline-block text-sm font-semibold text-brand-700 hover:underline"
            >
              {t("enterprise.open")}
            </Link>
          ) : null}
        </div>
      </div>
    );
  }
  return (
    <div className="flex gap-3 rounded-lg border border-slate-200 p-3 has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50">
      <input
        id={id}
        type="radio"
        name="planId"
        value={plan.id}
        defaultChecked={defaultChecked}
        aria-describedby={`${id}-details`}
        className="mt-1 h-4 w-4 text-brand-600 focus:ring-brand-500"
      />
      <div className="flex-1">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <label htmlFor={id} className="cursor-pointer font-medium text-slate-900">
            {plan.name}
          </label>
          {current ? (
            <span className="rounded-full bg-brand-100 px-2 py-0.5 text-xs font-semibold text-brand-800">
              {t("planChange.currentBadge")}
            </span>
          ) : null}
        </div>
        <p id={`${id}-details`} className="text-sm text-slate-600">
          {priceText}
          {details ? <span className="block text-xs text-slate-600">{details}</span> : null}
        </p>
      </div>
    </div>
  );
}

// ---- Available Services -------------------------------------------------------------------

function AvailableServices({ entitlements }: { entitlements: LoaderData["entitlements"] }) {
  const { t } = useTranslation(["business"]);
  const locale = useFormattingLocale();
  const { plan, period, planAllowance, cardOperations, staffSeats } = entitlements;
  const n = (value: number) => formatNumber(value, locale);
  return (
    <Card title={t("services.sectionTitle")}>
      {/* At a glance: what is left in total, plan and codes together. */}
      <div
        className={`mb-6 rounded-md border px-4 py-3 ${
          cardOperations.remaining > 0
            ? "border-brand-200 bg-brand-50 text-brand-900"
            : "border-red-200 bg-red-50 text-red-900"
        }`}
      >
        <p className="text-2xl font-semibold tabular-nums">{n(cardOperations.remaining)}</p>
        <p className="text-sm">
          {cardOperations.remaining > 0
            ? t("services.leftInTotal", {
                count: cardOperations.remaining,
                limit: n(cardOperations.limit),
              })
            : t("services.nothingLeft")}
        </p>
      </div>
      <div className="grid gap-6 md:grid-cols-2">
        <div>
          {plan.allowanceSet ? (
            <ProgressBar
              label={t("services.cardOperations")}
              used={planAllowance.used}
              available={planAllowance.included}
              tone={planAllowanceTone({
                planUsed: planAllowance.used,
                planIncluded: planAllowance.included,
                remainingInTotal: cardOperations.remaining,
              })}
            />
          ) : (
            <h3 className="text-sm font-medium text-slate-800">{t("services.cardOperations")}</h3>
          )}
          <p className="mt-2 text-sm text-slate-600">
            {plan.allowanceSet
              ? t("services.usedIncluded", {
                  used: n(planAllowance.used),
                  included: n(planAllowance.included),
                })
              : t("services.setBySupport")}
          </p>
          <p className="mt-1 text-xs text-slate-500">
            {t("services.periodResets", { date: formatDate(period.end, locale) })}
          </p>
          {cardOperations.limit > planAllowance.included ? (
            <p className="mt-1 text-xs text-slate-500">
              {t("services.withCodes", {
                remaining: n(cardOperations.remaining),
                limit: n(cardOperations.limit),
              })}
            </p>
          ) : null}
        </div>
        <div>
          <ProgressBar
            label={t("services.staffSeats")}
            used={staffSeats.taken}
            available={staffSeats.available}
          />
          <p className="mt-2 text-sm text-slate-600">
            {t("services.seatsSummary", {
              included: n(staffSeats.included),
              fromGrants: n(staffSeats.fromGrants),
              taken: n(staffSeats.taken),
            })}
          </p>
          {staffSeats.overLimit > 0 ? (
            <p className="mt-1 text-sm text-red-700">
              {t("services.overLimit", { count: staffSeats.overLimit })}
            </p>
          ) : null}
        </div>
      </div>
      <p className="mt-6 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
        {t("plan.tip")}
      </p>
    </Card>
  );
}
