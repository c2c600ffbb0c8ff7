/** A NATS subject token: no dots, wildcards or whitespace, never empty. */
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

export function subjectToken(value: string): string {
  if (!TOKEN.test(value)) throw new Error(`invalid subject token: ${JSON.stringify(value)}`);
  return value;
}

/** Builds a subject from fixed parts and validated variable tokens. */
export function subject(...parts: string[]): string {
  return parts.map(subjectToken).join('.');
}
