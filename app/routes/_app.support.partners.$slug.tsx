import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { z } from "zod";
import { domainErrorMessage } from "~/lib/messages";
import { notFound, requireSupport } from "~/auth/guards.server";
import {
  AlreadyMember,
  createInvitation,
  InvitationNotPending,
  resendPartnerInvitation,
  revokePartnerInvitation,
} from "~/auth/invitations.server";
import { db } from "~/db.server";
import { DomainError } from "~/domain/errors.server";
import {
  findPartnerForSupport,
  PARTNER_LOCALES,
  PartnerTermsSchema,
  setPartnerStatus,
  updatePartnerTerms,
} from "~/domain/partner-admin.server";
import { supportPartnerPage } from "~/domain/support-partner-page.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { dispatchIntent, intentForm } from "~/lib/intents.server";
import { emailField, reasonField } from "~/lib/fields";
import { localeOfRequest } from "~/lib/request-locale.server";
import { isPartnerSlug } from "~/lib/ids";
import { SupportPartnerPage } from "~/components/support/PartnerPage";
import { clock } from "~/lib/clock.server";
import { SupportReferralPanel } from "~/components/referrals/SupportReferralPanel";
import { supportReferralPanel } from "~/domain/referrals/reads.server";
import { referralIntents } from "~/lib/referral-intents.server";
import { formValues } from "~/lib/forms";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.page.terms.name ?? "Partner"} · Support · 7stamp Partner Portal` },
];

async function partnerOf(slug: string | undefined) {
  if (!isPartnerSlug(slug)) throw notFound();
  const partner = await findPartnerForSupport(db, slug);
  if (!partner) throw notFound();
  return partner;
}

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const partner = await partnerOf(args.params.slug);
  const [page, referral] = await Promise.all([
    supportPartnerPage(db, { partnerId: partner.id, now: clock() }),
    supportReferralPanel(db, { owner: { partnerId: partner.id }, name: partner.name }),
  ]);
  return { page, locales: PARTNER_LOCALES, referral };
}

const StatusForm = z.object({ reason: reasonField });
const InviteForm = z.object({
  email: emailField,
  role: z.enum(["member", "owner"]),
});
const InvitationForm = z.object({ email: z.string().trim().min(1).max(254) });

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  const partner = await partnerOf(args.params.slug);
  const formData = await args.request.formData();
  const actor = { userId: user.id, label: user.email };
  const ip = args.context.clientIp;
  const here = `/support/partners/${partner.slug}`;
  const language = localeOfRequest(args.request, { user }).language;

  const setStatus = (status: "suspended" | "active") =>
    intentForm(StatusForm, async ({ reason }, { fail }) => {
      try {
        await setPartnerStatus(db, {
          now: clock(),
          partnerId: partner.id,
          status,
          reason,
          actor,
          ip,
        });
      } catch (error) {
        if (error instanceof DomainError && error.status === 409) {
          return fail(
            { formError: domainErrorMessage("support:errors", error.code) },
            error.status,
          );
        }
        throw error;
      }
      return redirectWithFlash(args.request, here, {
        kind: "success",
        key: status === "suspended" ? "support:partner.suspended" : "support:partner.reactivated",
        values: { name: partner.name },
      });
    });

  const answerInvitation = (answer: "resend" | "revoke") =>
    intentForm(InvitationForm, async ({ email }, { fail }) => {
      try {
        if (answer === "resend") {
          await resendPartnerInvitation(db, {
            now: clock(),
            partnerId: partner.id,
            email,
            inviter: user,
            language,
            ip,
          });
        } else {
          await revokePartnerInvitation(db, {
            now: clock(),
            partnerId: partner.id,
            email,
            actor,
            ip,
          });
        }
      } catch (error) {
        if (error instanceof InvitationNotPending) {
          return fail(
            { formError: { key: "support:errors.invitation_not_pending" } },
            error.status,
          );
        }
        throw error;
      }
      return redirectWithFlash(args.request, here, {
        kind: "success",
        key:
          answer === "resend"
            ? "support:partner.invitationResent"
            : "support:partner.invitationRevoked",
        values: { email },
      });
    });

  return dispatchIntent(formData, {
    terms: intentForm(PartnerTermsSchema, async (terms, { fail }) => {
      try {
        const changed = await updatePartnerTerms(db, {
          partnerId: partner.id,
          terms,
          actor,
          ip,
          now: clock(),
        });
        return redirectWithFlash(args.request, here, {
          kind: changed.length ? "success" : "info",
          key: changed.length ? "support:partner.termsSaved" : "support:partner.termsUnchanged",
        });
      } catch (error) {
        if (error instanceof DomainError && error.status === 400 && error.field) {
          const values = formValues(formData);
          return fail({
            values,
            errors: { [error.field]: domainErrorMessage("support:errors", error.code) },
          });
        }
        throw error;
      }
    }),
    suspend: setStatus("suspended"),
    reactivate: setStatus("active"),
    invite: intentForm(InviteForm, async ({ email, role }, { fail }) => {
      try {
        await createInvitation(db, {
          inviter: user,
          target: { partnerId: partner.id, role },
          email,
          language,
          ip,
          now: clock(),
        });
      } catch (error) {
        if (error instanceof AlreadyMember) {
          return fail({
            values: { email, role },
            errors: { email: { key: "partner:team.alreadyMember" } },
          });
        }
        throw error;
      }
      return redirectWithFlash(args.request, here, {
        kind: "success",
        key: "partner:team.invited",
        values: { email },
      });
    }),
    resend: answerInvitation("resend"),
    revoke: answerInvitation("revoke"),
    ...referralIntents({
      request: args.request,
      formData,
      owner: { partnerId: partner.id },
      referrer: { partnerSlug: partner.slug },
      here,
      actor,
      ip,
    }),
  });
}

export default function SupportPartner() {
  return (
    <>
      <SupportPartnerPage />
      <div className="mt-6">
        <SupportReferralPanel />
      </div>
    </>
  );
}
