// Console output of the scripts, and the one error type whose message is shown to the user as-is.
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);

export const bold = (s) => paint('1', s);
export const dim = (s) => paint('2', s);

export function info(msg) { console.log(`${paint('36', '▸')} ${msg}`); }
export function warn(msg) { console.log(`${paint('33', '!')} ${msg}`); }
export function ok(msg) { console.log(`${paint('32', '✓')} ${msg}`); }

/** A failure the user can act on: printed without a stack trace. */
export class StackError extends Error {}

export function reportFailure(err) {
  if (err instanceof StackError) console.error(`\n${paint('31', '✗')} ${err.message}\n`);
  else console.error(err);
}

const PALETTE = ['35', '34', '32', '33', '36', '95', '94'];
const assigned = new Map();
/** A stable colored `[name]` prefix per process. */
export function prefixFor(name) {
  if (!assigned.has(name)) assigned.set(name, PALETTE[assigned.size % PALETTE.length]);
  return paint(assigned.get(name), `[${name}]`);
}
