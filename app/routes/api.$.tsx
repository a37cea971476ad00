// Any /api/ path no route claims: a problem+json 404 (not the portal's HTML page), whatever
// the method.
import { notFoundProblem } from "~/api/problem.server";

function notFound(): Response {
  return notFoundProblem("There is no such API endpoint. See /api/v1/openapi.json.").toResponse();
}

export const loader = notFound;
export const action = notFound;
