export function verifySignature(input: {
  header: string | undefined;
  body: string;
  secret: string;
  toleranceSeconds?: number;
  now?: number;
}): boolean;
