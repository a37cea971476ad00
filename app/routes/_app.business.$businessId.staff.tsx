import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { z } from "zod";
import { notFound, requireBusinessMember } from "~/auth/guards.server";
import { AlreadyMember } from "~/auth/invitations.server";
import { db } from "~/db.server";
import { DomainError, RateLimited } from "~/domain/errors.server";
import {
  inviteStaff,
  listStaffSeats,
  NoFreeStaffSeat,
  removeStaff,
  revokeStaffInvitation,
} from "~/domain/staff.server";
import { domainErrorMessage } from "~/lib/messages";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure, rateLimitedFailure } from "~/lib/form-responses.server";
import { dispatchIntent, intentForm, type IntentContext } from "~/lib/intents.server";
import { emailField } from "~/lib/fields";
import { localeOfRequest } from "~/lib/request-locale.server";
import { passOnRetryAfter } from "~/lib/route-headers";
import { StaffPage } from "~/components/staff/StaffPage";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "Staff seats · 7stamp Partner Portal" }];

export const headers = passOnRetryAfter;

const Email = emailField;
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
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  const back = `/business/${business.id}/staff`;

  /** A refusal about the seat or invitation, above the form that was sent. */
  const refused = (error: unknown, fail: IntentContext["fail"]) => {
    if (!(error instanceof DomainError)) throw error;
    return fail({ formError: domainErrorMessage("staff:errors", error.code) }, error.status);
  };

  return dispatchIntent(formData, {
    invite: intentForm(InviteForm, async (input) => {
      try {
        await inviteStaff(db, {
          businessId: business.id,
          inviter: user,
          email: input.email,
          language: localeOfRequest(args.request, { user }).language,
          ip,
          now: clock(),
        });
      } catch (error) {
        const values = { intent: input.intent, email: input.email };
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
        values: { email: input.email },
      });
    }),
    remove: intentForm(RemoveForm, async (input, { fail }) => {
      let email: string;
      try {
        ({ email } = await removeStaff(db, {
          businessId: business.id,
          userId: input.userId,
          actor,
          ip,
          now: clock(),
        }));
      } catch (error) {
        return refused(error, fail);
      }
      return redirectWithFlash(args.request, back, {
        kind: "success",
        key: "staff:remove.done",
        values: { email },
      });
    }),
    revoke: intentForm(RevokeForm, async (input, { fail }) => {
      try {
        await revokeStaffInvitation(db, {
          businessId: business.id,
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
        key: "staff:pending.revoked",
        values: { email: input.email },
      });
    }),
  });
}

export default function StaffSeatsPage() {
  return <StaffPage />;
}
