// PostgreSQL text cannot hold a NUL byte (JSON and form fields can): text holding one is
// invalid input, answered as a field error, never a database error. The one check for it.
export function storable(value: string): boolean {
  return !value.includes("\u0000");
}
