import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { requirePartnerMember } from "~/auth/guards.server";
import {
  AlreadyMember,
  createInvitation,
  listPendingPartnerInvitations,
} from "~/auth/invitations.server";
import { Button } from "~/components/Button";
import { Field, SelectField } from "~/components/Field";
import { Card, EmptyState, PageHeader, Table } from "~/components/Layout";
import { db } from "~/db.server";
import { listPartnerTeam } from "~/domain/partners.server";
import { formatDate } from "~/lib/format";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure, rateLimitedFailure } from "~/lib/form-responses.server";
import { RateLimited } from "~/domain/errors.server";
import { parseForm } from "~/lib/forms";
import { resolveLocale } from "~/lib/locale";
import { useFormattingLocale } from "~/root";
import { passOnRetryAfter } from "~/lib/route-headers";

export const meta: MetaFunction = () => [{ title: "Team · 7stamp Partner Portal" }];

export const headers = passOnRetryAfter;

const InviteForm = z.object({
  email: z.string().trim().min(1).max(254).email(),
  role: z.enum(["member", "owner"]),
});

export async function loader(args: LoaderFunctionArgs) {
  const { partner, role } = await requirePartnerMember(args, args.params.slug);
  const [team, pending] = await Promise.all([
    listPartnerTeam(db, { partnerId: partner.id }),
    role === "owner" ? listPendingPartnerInvitations(db, partner.id) : Promise.resolve([]),
  ]);
  return { team, pending, canInvite: role === "owner" };
}

export async function action(args: ActionFunctionArgs) {
  const { user, partner } = await requirePartnerMember(args, args.params.slug, "owner");
  const form = parseForm(InviteForm, await args.request.formData());
  if (!form.success) return formFailure(form);
  try {
    await createInvitation(db, {
      inviter: user,
      target: { partnerId: partner.id, role: form.data.role },
      email: form.data.email,
      language: resolveLocale(user.locale, args.request.headers.get("accept-language")).language,
      ip: args.context.clientIp,
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
  return redirectWithFlash(args.request, `/partner/${partner.slug}/team`, {
    kind: "success",
    key: "partner:team.invited",
    values: { email: form.data.email },
  });
}

export default function PartnerTeam() {
  const { t } = useTranslation("partner");
  const { team, pending, canInvite } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const location = useLocation();
  const locale = useFormattingLocale();
  return (
    <>
      <PageHeader title={t("team.title")} description={t("team.subtitle")} />
      <div className="space-y-6">
        <Table
          caption={t("team.title")}
          head={
            <tr>
              <th className="px-4 py-2">{t("team.name")}</th>
              <th className="px-4 py-2">{t("team.email")}</th>
              <th className="px-4 py-2">{t("team.role")}</th>
              <th className="px-4 py-2">{t("team.joined")}</th>
              <th className="px-4 py-2">{t("team.lastSignIn")}</th>
            </tr>
          }
        >
          {team.map((member) => (
            <tr key={member.userId}>
              <td className="px-4 py-2 font-medium">{member.name || "—"}</td>
              <td className="px-4 py-2">{member.email}</td>
              <td className="px-4 py-2">{t(`common:roles.${member.role}`)}</td>
              <td className="px-4 py-2">{formatDate(member.joinedAt, locale)}</td>
              <td className="px-4 py-2">
                {member.lastSignInAt ? formatDate(member.lastSignInAt, locale) : t("team.never")}
              </td>
            </tr>
          ))}
        </Table>
        {canInvite ? (
          <div className="grid gap-6 md:grid-cols-2">
            <Card title={t("team.inviteTitle")}>
              {/* Keyed by the location: a successful save redirects, which empties the form. */}
              <Form key={location.key} method="post" className="space-y-4" noValidate>
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
                    <li key={invitation.email} className="flex justify-between py-2">
                      <span>{invitation.email}</span>
                      <span className="text-slate-500">
                        {t(`common:roles.${invitation.role}`)} ·{" "}
                        {t("team.expires", { date: formatDate(invitation.expiresAt, locale) })}
                      </span>
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
