// What a former member sees on an organisation they were removed from (ADR 018): that they
// no longer have access, since when, and what to do — ask to be invited again, go to another
// organisation of theirs, or sign out.
import { Form, Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { formatDate } from "~/lib/format";
import { useFormattingLocale } from "~/root";

export interface MembershipRemovedData {
  code: "membership_removed";
  organisation: { kind: "partner" | "business"; name: string };
  removedAt: string;
}

/** The 403 body thrown by the guards for a former member, or null for any other error. */
export function membershipRemovedData(data: unknown): MembershipRemovedData | null {
  if (typeof data !== "object" || data === null) return null;
  const candidate = data as Partial<MembershipRemovedData>;
  if (candidate.code !== "membership_removed") return null;
  const organisation = candidate.organisation;
  if (!organisation || typeof organisation.name !== "string") return null;
  if (organisation.kind !== "partner" && organisation.kind !== "business") return null;
  if (typeof candidate.removedAt !== "string") return null;
  return candidate as MembershipRemovedData;
}

export function MembershipRemoved({
  removal,
  otherOrganisations,
}: {
  removal: MembershipRemovedData;
  otherOrganisations: { href: string; name: string; detail: string }[];
}) {
  const { t } = useTranslation();
  const locale = useFormattingLocale();
  const organisation = removal.organisation.name;
  return (
    <section className="mx-auto max-w-xl py-8" aria-labelledby="membership-removed-title">
      <p className="text-sm font-semibold text-brand-600">403</p>
      <h1 id="membership-removed-title" className="mt-2 text-2xl font-semibold text-slate-900">
        {t("errors.membershipRemoved.title", { organisation })}
      </h1>
      <p className="mt-3 text-slate-700">
        {t("errors.membershipRemoved.removedOn", {
          organisation,
          date: formatDate(removal.removedAt, locale),
        })}
      </p>
      <h2 className="mt-6 text-base font-semibold text-slate-900">
        {t("errors.membershipRemoved.whatToDo")}
      </h2>
      <ul className="mt-2 list-disc space-y-3 pl-5 text-slate-700">
        <li>
          {removal.organisation.kind === "business"
            ? t("errors.membershipRemoved.askBusinessOwner", { organisation })
            : t("errors.membershipRemoved.askPartnerOwner", { organisation })}
        </li>
        <li>
          {otherOrganisations.length > 0 ? (
            <>
              {t("errors.membershipRemoved.chooseOrganisation")}
              <ul className="mt-2 space-y-1">
                {otherOrganisations.map((other) => (
                  <li key={other.href}>
                    <Link
                      to={other.href}
                      className="font-semibold text-brand-700 underline hover:text-brand-900"
                    >
                      {other.name}
                    </Link>{" "}
                    <span className="text-sm text-slate-600">({other.detail})</span>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            t("errors.membershipRemoved.noOtherOrganisation")
          )}
        </li>
        <li>
          {t("errors.membershipRemoved.signOutHint")}
          <Form method="post" action="/logout" className="mt-2">
            <button
              type="submit"
              className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50"
            >
              {t("errors.membershipRemoved.signOut")}
            </button>
          </Form>
        </li>
      </ul>
    </section>
  );
}
