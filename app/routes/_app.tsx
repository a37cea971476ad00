import type { LoaderFunctionArgs } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Outlet,
  useLoaderData,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { AppShell } from "~/components/AppShell";
import { FlashMessage } from "~/components/FlashMessage";
import { MembershipRemoved, membershipRemovedData } from "~/components/MembershipRemoved";
import { db } from "~/db.server";
import { countOpenRequests } from "~/domain/enterprise-requests.server";
import { listOrganisations } from "~/domain/organisations.server";
import { useTranslation } from "react-i18next";
import { ErrorPage, errorMessageKey, useRootData } from "~/root";

// The signed-in shell. Child routes guard themselves; this loader only feeds the header.
export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args);
  const [organisations, openRequests] = await Promise.all([
    listOrganisations(db, user.id),
    // For the support navigation's "Requests (n open)": one count on an index.
    user.isSupport ? countOpenRequests(db) : Promise.resolve(0),
  ]);
  return {
    user: { name: user.name, email: user.email, isSupport: user.isSupport },
    organisations,
    openRequests,
  };
}

export default function AppLayout() {
  const { user, organisations, openRequests } = useLoaderData<typeof loader>();
  const root = useRootData();
  return (
    <AppShell
      user={user}
      organisations={organisations}
      openRequests={openRequests}
      flash={<FlashMessage flash={root?.flash ?? null} />}
    >
      <Outlet />
    </AppShell>
  );
}

/** A page inside the shell that failed (404 of another tenant's id, 403): keep the header. */
export function ErrorBoundary() {
  const { t } = useTranslation();
  const error = useRouteError();
  const shell = useRouteLoaderData<typeof loader>("routes/_app");
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const messageKey = errorMessageKey(error);
  const removal = isRouteErrorResponse(error) ? membershipRemovedData(error.data) : null;
  if (!shell) return <ErrorPage status={status} messageKey={messageKey} />;
  return (
    <AppShell
      user={shell.user}
      organisations={shell.organisations}
      openRequests={shell.openRequests}
      flash={null}
    >
      {removal ? (
        // A former member: where they were removed from and what to do (ADR 018).
        <MembershipRemoved
          removal={removal}
          otherOrganisations={[
            ...(shell.user.isSupport
              ? [{ href: "/support", name: t("nav.supportDesk"), detail: t("nav.supportArea") }]
              : []),
            ...shell.organisations.map((o) => ({
              href: o.href,
              name: o.name,
              detail: o.kind === "partner" ? t("nav.partnerArea") : t("nav.businessArea"),
            })),
          ]}
        />
      ) : (
        <ErrorPage status={status} messageKey={messageKey} embedded />
      )}
    </AppShell>
  );
}
