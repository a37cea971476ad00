import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useLocation,
  useNavigation,
} from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { notFound, requireBusinessMember } from "~/auth/guards.server";
import { AlreadyMember } from "~/auth/invitations.server";
import { Button } from "~/components/Button";
import { ConfirmedActionForm } from "~/components/ConfirmedActionForm";
import { Field, FormAlert } from "~/components/Field";
import { Card, EmptyState, PageHeader, Table } from "~/components/Layout";
import { ProgressBar } from "~/components/ProgressBar";
import { db } from "~/db.server";
import { DomainError, RateLimited } from "~/domain/errors.server";
import {
  inviteStaff,
  listStaffSeats,
  NoFreeStaffSeat,
  removeStaff,
  revokeStaffInvitation,
  type StaffSeatLabel,
} from "~/domain/staff.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure, rateLimitedFailure } from "~/lib/form-responses.server";
import { formatDate } from "~/lib/format";
import { parseForm } from "~/lib/forms";
import { resolveLocale } from "~/lib/locale";
import { useFormattingLocale } from "~/root";
import { passOnRetryAfter } from "~/lib/route-headers";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Staff seats · 7stamp Partner Portal" }];

export const headers = passOnRetryAfter;

const Email = z.string().trim().min(1).max(254).email();
const InviteForm = z.object({ intent: z.literal("invite"), email: Email });
const RemoveForm = z.object({ intent: z.literal("remove"), userId: z.string().uuid() });
const RevokeForm = z.object({ intent: z.literal("revoke"), email: Email });

// Staff may look (they hold a seat too); only the owner invites and removes.
export async function loader(args: LoaderFunctionArgs) {
  const { business, role } = await requireBusinessMember(args, args.params.businessId);
  const staff = await listStaffSeats(db, { businessId: business.id, now: clock() });
  if (!staff) throw notFound();
  const canManage = role === "owner";
  return {
    business,
    canManage,
    seats: staff.seats,
    members: staff.members,
    pending: canManage ? staff.pending : [],
  };
}

export async function action(args: ActionFunctionArgs) {
  const { user, business } = await requireBusinessMember(args, args.params.businessId, "owner");
  const formData = await args.request.formData();
  const intent = String(formData.get("intent") ?? "");
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  const back = `/business/${business.id}/staff`;

  if (intent === "invite") {
    const form = parseForm(InviteForm, formData);
    if (!form.success) return formFailure(form);
    try {
      await inviteStaff(db, {
        businessId: business.id,
        inviter: user,
        email: form.data.email,
        language: resolveLocale(user.locale, args.request.headers.get("accept-language")).language,
        ip,
        now: clock(),
      });
    } catch (error) {
      const values = { intent, email: form.data.email };
      if (error instanceof NoFreeStaffSeat) {
        return formFailure(
          {
            errors: { email: { key: "staff:invite.noFreeSeat", values: { count: error.seats } } },
            values,
          },
          { status: 409 },
        );
      }
      if (error instanceof AlreadyMember) {
        return formFailure({ errors: { email: { key: "staff:invite.alreadyMember" } }, values });
      }
      if (error instanceof RateLimited) return rateLimitedFailure(error, values);
      throw error;
    }
    return redirectWithFlash(args.request, back, {
      kind: "success",
      key: "staff:invite.sent",
      values: { email: form.data.email },
    });
  }

  if (intent === "remove" || intent === "revoke") {
    try {
      if (intent === "remove") {
        const form = parseForm(RemoveForm, formData);
        if (!form.success) return formFailure(form);
        const removed = await removeStaff(db, {
          businessId: business.id,
          userId: form.data.userId,
          actor,
          ip,
          now: clock(),
        });
        return redirectWithFlash(args.request, back, {
          kind: "success",
          key: "staff:remove.done",
          values: { email: removed.email },
        });
      }
      const form = parseForm(RevokeForm, formData);
      if (!form.success) return formFailure(form);
      await revokeStaffInvitation(db, {
        businessId: business.id,
        email: form.data.email,
        actor,
        ip,
        now: clock(),
      });
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "staff:pending.revoked",
        values: { email: form.data.email },
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return formFailure(
        { values: { intent }, formError: { key: `staff:errors.${error.code}` } },
        { status: error.status },
      );
    }
  }

  return formFailure({ errors: { intent: { key: "validation.choice" } }, values: { intent } });
}

function SeatLabel({ seat }: { seat: StaffSeatLabel }) {
  const { t } = useTranslation("staff");
  switch (seat.kind) {
    case "plan":
      return <span>{t("seat.plan")}</span>;
    case "code":
      return <span>{t("seat.code", { serial: seat.serial, bundle: seat.bundleName })}</span>;
    case "grant":
      return <span>{t(seat.source === "referral" ? "seat.referral" : "seat.support")}</span>;
    case "none":
      return (
        <span className="inline-flex rounded-full bg-red-50 px-2 py-0.5 text-xs font-semibold text-red-800 ring-1 ring-inset ring-red-200">
          {t("seat.none")}
        </span>
      );
  }
}

export default function StaffSeatsPage() {
  const { t } = useTranslation("staff");
  const { business, canManage, seats, members, pending } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const location = useLocation();
  const locale = useFormattingLocale();
  const failedIntent = actionData?.values.intent;
  const inviteFailure = failedIntent === "invite" ? actionData : undefined;
  const noFreeSeat = seats.free === 0;
  // Refused for want of a seat: the field's error says so; otherwise the notice above does.
  const refusedForSeat = inviteFailure?.errors.email?.key === "staff:invite.noFreeSeat";
  return (
    <>
      <PageHeader title={t("title")} description={t("subtitle", { business: business.name })} />
      {canManage ? null : (
        <p className="mb-6 rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-600">
          {t("readOnly")}
        </p>
      )}
      <div className="space-y-6">
        <Card title={t("summary.title")}>
          <div className="grid gap-6 md:grid-cols-2">
            {/* Invitations hold seats too: the bar counts them, or it would say "1 / 7 taken"
                beside "0 seats free". */}
            <ProgressBar
              label={t("summary.bar")}
              used={seats.taken + seats.pending}
              available={seats.available}
            />
            <ul className="space-y-1 text-sm text-slate-600">
              <li className="font-medium text-slate-800">
                {t("summary.breakdown", {
                  taken: seats.taken,
                  invited: seats.pending,
                  free: seats.free,
                })}
              </li>
              <li>{t("summary.available", { count: seats.available })}</li>
              {seats.pending > 0 ? <li>{t("summary.pending", { count: seats.pending })}</li> : null}
              <li>{t("summary.free", { count: seats.free })}</li>
            </ul>
          </div>
          {seats.overLimit > 0 ? (
            <p className="mt-4 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
              {t("summary.overLimit", { count: seats.overLimit })}
            </p>
          ) : null}
        </Card>

        <section aria-labelledby="members-title" className="space-y-3">
          <h2 id="members-title" className="text-base font-semibold text-slate-900">
            {t("members.title")}
          </h2>
          {failedIntent === "remove" ? <FormAlert message={actionData?.formError} /> : null}
          <Table
            stackOnPhone
            caption={t("members.title")}
            head={
              <tr>
                <th className="px-4 py-2">{t("members.name")}</th>
                <th className="px-4 py-2">{t("members.email")}</th>
                <th className="px-4 py-2">{t("members.role")}</th>
                <th className="px-4 py-2">{t("members.seat")}</th>
                <th className="px-4 py-2">{t("members.joined")}</th>
                {canManage ? (
                  // Positioned, so the off-screen label stays inside the table's scroll box
                  // on narrow screens instead of widening the page.
                  <th className="relative px-4 py-2">
                    <span className="sr-only">{t("members.actions")}</span>
                  </th>
                ) : null}
              </tr>
            }
          >
            {members.map((member) => (
              <tr key={member.userId}>
                <td className="px-4 py-2 font-medium">{member.name || "—"}</td>
                <td data-label={t("members.email")} className="px-4 py-2">
                  {member.email}
                </td>
                <td data-label={t("members.role")} className="px-4 py-2">
                  {t(`common:roles.${member.role}`)}
                </td>
                <td data-label={t("members.seat")} className="px-4 py-2">
                  <SeatLabel seat={member.seat} />
                </td>
                <td data-label={t("members.joined")} className="whitespace-nowrap px-4 py-2">
                  {formatDate(member.joinedAt, locale)}
                </td>
                {canManage ? (
                  <td className="px-4 py-2 text-right">
                    {member.role === "owner" ? null : (
                      <ConfirmedActionForm
                        intent="remove"
                        fields={{ userId: member.userId }}
                        confirm={t("members.confirmRemove", { email: member.email })}
                        label={t("members.removeLabel", { email: member.email })}
                        disabled={busy}
                      >
                        {t("members.remove")}
                      </ConfirmedActionForm>
                    )}
                  </td>
                ) : null}
              </tr>
            ))}
          </Table>
        </section>

        {canManage ? (
          <div className="grid gap-6 md:grid-cols-2">
            <Card title={t("invite.title")}>
              {/* Keyed by the location: a successful invitation redirects, which empties the form. */}
              <Form key={location.key} method="post" className="space-y-4" noValidate>
                <input type="hidden" name="intent" value="invite" />
                {noFreeSeat && !refusedForSeat ? (
                  <div
                    role="note"
                    className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900"
                  >
                    <p>{t("invite.noFreeSeat", { count: seats.available })}</p>
                    <Link
                      to={`/business/${business.id}/billing`}
                      className="mt-2 inline-block font-semibold text-brand-700 hover:underline"
                    >
                      {t("invite.toBilling")}
                    </Link>
                  </div>
                ) : null}
                <fieldset
                  disabled={noFreeSeat}
                  className="space-y-4 [&_input:disabled]:cursor-not-allowed [&_input:disabled]:bg-slate-100"
                >
                  <Field
                    label={t("invite.email")}
                    name="email"
                    type="email"
                    required
                    autoComplete="off"
                    hint={t("invite.hint")}
                    defaultValue={inviteFailure?.values.email}
                    error={inviteFailure?.errors.email}
                  />
                  <Button type="submit" disabled={busy}>
                    {t("invite.submit")}
                  </Button>
                </fieldset>
                {refusedForSeat ? (
                  <Link
                    to={`/business/${business.id}/billing`}
                    className="inline-block text-sm font-semibold text-brand-700 hover:underline"
                  >
                    {t("invite.toBilling")}
                  </Link>
                ) : null}
              </Form>
            </Card>
            <Card title={t("pending.title")}>
              {failedIntent === "revoke" ? <FormAlert message={actionData?.formError} /> : null}
              {pending.length === 0 ? (
                <EmptyState title={t("pending.none")} />
              ) : (
                <ul className="divide-y divide-slate-100 text-sm">
                  {pending.map((invitation) => (
                    <li
                      key={invitation.email}
                      className="flex flex-wrap items-center justify-between gap-3 py-2"
                    >
                      <span className="min-w-0 break-all">
                        <span className="block font-medium text-slate-900">{invitation.email}</span>
                        <span className="block text-slate-500">
                          {t("pending.expires", { date: formatDate(invitation.expiresAt, locale) })}
                        </span>
                      </span>
                      <ConfirmedActionForm
                        intent="revoke"
                        fields={{ email: invitation.email }}
                        confirm={t("pending.confirmRevoke", { email: invitation.email })}
                        label={t("pending.revokeLabel", { email: invitation.email })}
                        disabled={busy}
                      >
                        {t("pending.revoke")}
                      </ConfirmedActionForm>
                    </li>
                  ))}
                </ul>
              )}
            </Card>
          </div>
        ) : null}
      </div>
    </>
  );
}
