import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireUser } from "~/auth/guards.server";
import { db } from "~/db.server";
import { listOrganisations } from "~/domain/organisations.server";

// "/partner" goes to the user's first partner organisation.
export async function loader(args: LoaderFunctionArgs) {
  const user = await requireUser(args);
  const first = (await listOrganisations(db, user.id)).find((o) => o.kind === "partner");
  if (!first) throw notFound();
  throw redirect(first.href);
}
