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
import { db } from "~/db.server";
import { countOpenRequests } from "~/domain/enterprise-requests.server";
import { listOrganisations } from "~/domain/organisations.server";
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
  const error = useRouteError();
  const shell = useRouteLoaderData<typeof loader>("routes/_app");
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const messageKey = errorMessageKey(error);
  if (!shell) return <ErrorPage status={status} messageKey={messageKey} />;
  return (
    <AppShell
      user={shell.user}
      organisations={shell.organisations}
      openRequests={shell.openRequests}
      flash={null}
    >
      <ErrorPage status={status} messageKey={messageKey} embedded />
    </AppShell>
  );
}
