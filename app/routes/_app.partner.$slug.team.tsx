import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { z } from "zod";
import { notFound, requirePartnerMember } from "~/auth/guards.server";
import {
  AlreadyMember,
  createInvitation,
  listPendingPartnerInvitations,
} from "~/auth/invitations.server";
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
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure, rateLimitedFailure } from "~/lib/form-responses.server";
import { RateLimited } from "~/domain/errors.server";
import { parseForm } from "~/lib/forms";
import { emailField } from "~/lib/fields";
import { resolveLocale } from "~/lib/locale";
import { passOnRetryAfter } from "~/lib/route-headers";
import { TeamPage } from "~/components/team/TeamPage";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Team · 7stamp Partner Portal" }];

export const headers = passOnRetryAfter;

const InviteForm = z.object({
  email: emailField,
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
const RevokeForm = z.object({ email: emailField });

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
  return <TeamPage />;
}
