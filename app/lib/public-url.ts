// The portal's own address, worked out one way for the server (emailed links, the allowed
// Origin) and for tools that talk to it (npm run simulate): PUBLIC_URL, else localhost:PORT.

export const DEFAULT_PORT = 3000;

export function portalUrl({
  PUBLIC_URL,
  PORT,
}: {
  PUBLIC_URL?: string | undefined;
  PORT?: string | number | undefined;
}): string {
  const port = PORT === undefined || PORT === "" ? DEFAULT_PORT : PORT;
  return (PUBLIC_URL || `http://localhost:${port}`).replace(/\/$/, "");
}
