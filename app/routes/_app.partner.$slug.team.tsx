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
import { dispatchIntent, intentForm, type IntentContext } from "~/lib/intents.server";
import { emailField } from "~/lib/fields";
import { localeOfRequest } from "~/lib/request-locale.server";
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
  // The invitation form was the page's only form before the others had an intent.
  if (!formData.has("intent")) formData.set("intent", "invite");
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  const back = `/partner/${partner.slug}/team`;

  /** A member or invitation gone meanwhile is a 404; the last owner stays on the form. */
  const refused = (error: unknown, fail: IntentContext["fail"]) => {
    if (error instanceof TeamMemberNotFound || error instanceof PartnerInvitationNotFound) {
      throw notFound();
    }
    if (error instanceof LastOwner) {
      return fail({ formError: { key: "partner:team.lastOwner" } }, 409);
    }
    throw error;
  };

  return dispatchIntent(formData, {
    invite: intentForm(InviteForm, async (input) => {
      try {
        await createInvitation(db, {
          inviter: user,
          target: { partnerId: partner.id, role: input.role },
          email: input.email,
          language: localeOfRequest(args.request, { user }).language,
          ip,
          now: clock(),
        });
      } catch (error) {
        if (error instanceof AlreadyMember) {
          return formFailure({
            errors: { email: { key: "partner:team.alreadyMember" } },
            values: input,
          });
        }
        if (error instanceof RateLimited) return rateLimitedFailure(error, input);
        throw error;
      }
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "partner:team.invited",
        values: { email: input.email },
      });
    }),
    remove: intentForm(MemberForm, async (input, { fail }) => {
      let email: string;
      try {
        ({ email } = await removePartnerMember(db, {
          partnerId: partner.id,
          userId: input.userId,
          actor,
          ip,
        }));
      } catch (error) {
        return refused(error, fail);
      }
      // Removing oneself ends one's access to this partner: go home instead.
      const to = input.userId === user.id ? "/" : back;
      return redirectWithFlash(args.request, to, {
        kind: "success",
        key: "partner:team.removed",
        values: { email },
      });
    }),
    "change-role": intentForm(RoleForm, async (input, { fail }) => {
      let email: string;
      try {
        ({ email } = await changePartnerMemberRole(db, {
          partnerId: partner.id,
          userId: input.userId,
          role: input.role,
          actor,
          ip,
        }));
      } catch (error) {
        return refused(error, fail);
      }
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "partner:team.roleChanged",
        values: { email, role: input.role },
      });
    }),
    "revoke-invitation": intentForm(RevokeForm, async (input, { fail }) => {
      try {
        await revokePartnerInvitation(db, {
          partnerId: partner.id,
          email: input.email,
          actor,
          ip,
          now: clock(),
        });
      } catch (error) {
        return refused(error, fail);
      }
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "partner:team.invitationRevoked",
        values: { email: input.email },
      });
    }),
  });
}

export default function PartnerTeam() {
  return <TeamPage />;
}
