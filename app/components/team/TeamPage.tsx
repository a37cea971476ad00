// A partner's team: members, invitations, roles.
// Its loader and action stay in app/routes/_app.partner.$slug.team.tsx.
import { Form, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Button } from "~/components/Button";
import { ConfirmedActionForm } from "~/components/ConfirmedActionForm";
import { Field, FormAlert, SelectField } from "~/components/Field";
import { Card, EmptyState, PageHeader, Table } from "~/components/Layout";
import { labelKey } from "~/lib/messages";
import { formatDate } from "~/lib/format";
import { useFormattingLocale } from "~/root";

import type { loader, action } from "~/routes/_app.partner.$slug.team";

export function TeamPage() {
  const { t } = useTranslation(["partner", "common"]);
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
                {t(labelKey("common:roles", member.role))}
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
                          {t(labelKey("common:roles", invitation.role))} ·{" "}
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
