import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { notFound, requirePartnerMember } from "~/auth/guards.server";
import {
  AlreadyMember,
  createInvitation,
  listPendingPartnerInvitations,
} from "~/auth/invitations.server";
import { Button } from "~/components/Button";
import { ConfirmedActionForm } from "~/components/ConfirmedActionForm";
import { Field, FormAlert, SelectField } from "~/components/Field";
import { Card, EmptyState, PageHeader, Table } from "~/components/Layout";
import { db } from "~/db.server";
import {
  changePartnerMemberRole,
  LastOwner,
  PartnerInvitationNotFound,
  removePartnerMember,
  revokePartnerInvitation,
  TeamMemberNotFound,
} from "~/domain/partner-team.server";
import { listPartnerTeam } from "~/domain/partners.server";
import { formatDate } from "~/lib/format";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure, rateLimitedFailure } from "~/lib/form-responses.server";
import { RateLimited } from "~/domain/errors.server";
import { parseForm } from "~/lib/forms";
import { resolveLocale } from "~/lib/locale";
import { useFormattingLocale } from "~/root";
import { passOnRetryAfter } from "~/lib/route-headers";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Team · 7stamp Partner Portal" }];

export const headers = passOnRetryAfter;

const InviteForm = z.object({
  email: z.string().trim().min(1).max(254).email(),
  role: z.enum(["member", "owner"]),
});

export async function loader(args: LoaderFunctionArgs) {
  const { user, partner, role } = await requirePartnerMember(args, args.params.slug);
  const [team, pending] = await Promise.all([
    listPartnerTeam(db, { partnerId: partner.id }),
    role === "owner" ? listPendingPartnerInvitations(db, partner.id, clock()) : Promise.resolve([]),
  ]);
  return { team, pending, canInvite: role === "owner", me: user.id };
}

const MemberForm = z.object({ userId: z.string().uuid() });
const RoleForm = MemberForm.extend({ role: z.enum(["member", "owner"]) });
const RevokeForm = z.object({ email: z.string().trim().min(1).max(254).email() });

export async function action(args: ActionFunctionArgs) {
  const { user, partner } = await requirePartnerMember(args, args.params.slug, "owner");
  const formData = await args.request.formData();
  const intent = String(formData.get("intent") ?? "invite");
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  const back = `/partner/${partner.slug}/team`;
  try {
    if (intent === "remove") {
      const form = parseForm(MemberForm, formData);
      if (!form.success) return formFailure(form);
      const { email } = await removePartnerMember(db, {
        partnerId: partner.id,
        userId: form.data.userId,
        actor,
        ip,
      });
      // Removing oneself ends one's access to this partner: go home instead.
      const to = form.data.userId === user.id ? "/" : back;
      return redirectWithFlash(args.request, to, {
        kind: "success",
        key: "partner:team.removed",
        values: { email },
      });
    }
    if (intent === "change-role") {
      const form = parseForm(RoleForm, formData);
      if (!form.success) return formFailure(form);
      const { email } = await changePartnerMemberRole(db, {
        partnerId: partner.id,
        userId: form.data.userId,
        role: form.data.role,
        actor,
        ip,
      });
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "partner:team.roleChanged",
        values: { email, role: form.data.role },
      });
    }
    if (intent === "revoke-invitation") {
      const form = parseForm(RevokeForm, formData);
      if (!form.success) return formFailure(form);
      await revokePartnerInvitation(db, {
        partnerId: partner.id,
        email: form.data.email,
        actor,
        ip,
        now: clock(),
      });
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "partner:team.invitationRevoked",
        values: { email: form.data.email },
      });
    }
  } catch (error) {
    if (error instanceof TeamMemberNotFound || error instanceof PartnerInvitationNotFound) {
      throw notFound();
    }
    if (error instanceof LastOwner) {
      return formFailure(
        { values: { intent }, formError: { key: "partner:team.lastOwner" } },
        { status: 409 },
      );
    }
    throw error;
  }

  const form = parseForm(InviteForm, formData);
  if (!form.success) return formFailure(form);
  try {
    await createInvitation(db, {
      inviter: user,
      target: { partnerId: partner.id, role: form.data.role },
      email: form.data.email,
      language: resolveLocale(user.locale, args.request.headers.get("accept-language")).language,
      ip,
      now: clock(),
    });
  } catch (error) {
    if (error instanceof AlreadyMember) {
      return formFailure({
        errors: { email: { key: "partner:team.alreadyMember" } },
        values: form.data,
      });
    }
    if (error instanceof RateLimited) return rateLimitedFailure(error, form.data);
    throw error;
  }
  return redirectWithFlash(args.request, back, {
    kind: "success",
    key: "partner:team.invited",
    values: { email: form.data.email },
  });
}

export default function PartnerTeam() {
  const { t } = useTranslation("partner");
  const { team, pending, canInvite, me } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const location = useLocation();
  const locale = useFormattingLocale();
  return (
    <>
      <PageHeader title={t("team.title")} description={t("team.subtitle")} />
      <div className="space-y-6">
        <FormAlert message={actionData?.formError} />
        <Table
          stackOnPhone
          caption={t("team.title")}
          head={
            <tr>
              <th className="px-4 py-2">{t("team.name")}</th>
              <th className="px-4 py-2">{t("team.email")}</th>
              <th className="px-4 py-2">{t("team.role")}</th>
              <th className="px-4 py-2">{t("team.joined")}</th>
              <th className="px-4 py-2">{t("team.lastSignIn")}</th>
              {canInvite ? <th className="px-4 py-2">{t("team.actions")}</th> : null}
            </tr>
          }
        >
          {team.map((member) => (
            <tr key={member.userId}>
              <td className="px-4 py-2 font-medium">{member.name || "—"}</td>
              <td data-label={t("team.email")} className="px-4 py-2">
                {member.email}
              </td>
              <td data-label={t("team.role")} className="px-4 py-2">
                {t(`common:roles.${member.role}`)}
              </td>
              <td data-label={t("team.joined")} className="px-4 py-2">
                {formatDate(member.joinedAt, locale)}
              </td>
              <td data-label={t("team.lastSignIn")} className="px-4 py-2">
                {member.lastSignInAt ? formatDate(member.lastSignInAt, locale) : t("team.never")}
              </td>
              {canInvite ? (
                <td data-label={t("team.actions")} className="px-4 py-2">
                  <div className="flex flex-wrap items-center gap-2">
                    <Form method="post" className="flex items-center gap-2">
                      <input type="hidden" name="intent" value="change-role" />
                      <input type="hidden" name="userId" value={member.userId} />
                      <label className="sr-only" htmlFor={`role-${member.userId}`}>
                        {t("team.roleOf", { email: member.email })}
                      </label>
                      <select
                        id={`role-${member.userId}`}
                        name="role"
                        defaultValue={member.role}
                        className="rounded-md border border-slate-300 px-2 py-1 text-sm"
                      >
                        <option value="member">{t("common:roles.member")}</option>
                        <option value="owner">{t("common:roles.owner")}</option>
                      </select>
                      <Button
                        type="submit"
                        variant="secondary"
                        disabled={busy}
                        aria-label={t("team.changeRoleLabel", { email: member.email })}
                      >
                        {t("team.changeRole")}
                      </Button>
                    </Form>
                    <ConfirmedActionForm
                      intent="remove"
                      fields={{ userId: member.userId }}
                      confirm={t(
                        member.userId === me ? "team.confirmRemoveSelf" : "team.confirmRemove",
                        {
                          email: member.email,
                        },
                      )}
                      label={t("team.removeLabel", { email: member.email })}
                      disabled={busy}
                    >
                      {t("team.remove")}
                    </ConfirmedActionForm>
                  </div>
                </td>
              ) : null}
            </tr>
          ))}
        </Table>
        {canInvite ? (
          <div className="grid gap-6 md:grid-cols-2">
            <Card title={t("team.inviteTitle")}>
              {/* Keyed by the location: a successful save redirects, which empties the form. */}
              <Form key={location.key} method="post" className="space-y-4" noValidate>
                <input type="hidden" name="intent" value="invite" />
                <Field
                  label={t("team.email")}
                  name="email"
                  type="email"
                  required
                  defaultValue={actionData?.values.email}
                  error={actionData?.errors.email}
                />
                <SelectField
                  label={t("team.role")}
                  name="role"
                  defaultValue={actionData?.values.role ?? "member"}
                  error={actionData?.errors.role}
                  options={[
                    { value: "member", label: t("common:roles.member") },
                    { value: "owner", label: t("common:roles.owner") },
                  ]}
                />
                <Button type="submit" disabled={busy}>
                  {t("team.sendInvitation")}
                </Button>
              </Form>
            </Card>
            <Card title={t("team.pendingTitle")}>
              {pending.length === 0 ? (
                <EmptyState title={t("team.noPending")} />
              ) : (
                <ul className="divide-y divide-slate-100 text-sm">
                  {pending.map((invitation) => (
                    <li
                      key={invitation.email}
                      className="flex flex-wrap items-center justify-between gap-2 py-2"
                    >
                      <span>
                        <span className="block">{invitation.email}</span>
                        <span className="text-slate-600">
                          {t(`common:roles.${invitation.role}`)} ·{" "}
                          {t("team.expires", { date: formatDate(invitation.expiresAt, locale) })}
                        </span>
                      </span>
                      <ConfirmedActionForm
                        intent="revoke-invitation"
                        fields={{ email: invitation.email }}
                        confirm={t("team.confirmRevoke", { email: invitation.email })}
                        label={t("team.revokeLabel", { email: invitation.email })}
                        disabled={busy}
                      >
                        {t("team.revoke")}
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
