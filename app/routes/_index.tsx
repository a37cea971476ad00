import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { getOptionalUser } from "~/auth/guards.server";
import { db } from "~/db.server";
import { homePathFor } from "~/domain/organisations.server";

export async function loader(args: LoaderFunctionArgs) {
  const user = await getOptionalUser(args);
  if (!user) throw redirect("/login");
  throw redirect(await homePathFor(db, user));
}
