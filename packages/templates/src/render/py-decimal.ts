/**
 * Correctly rounded decimal formatting of doubles, as CPython does it. Python rounds the exact
 * binary value half-to-even (`'%.0f' % 2.5 == '2'`, `round(0.125, 2) == 0.12`), while
 * `Number.prototype.toFixed` breaks ties upwards and switches to exponent form past 1e21. The
 * `round` and `format` filters use these helpers to match Python digit for digit.
 */

/** |x| = digits / 10^scale exactly. */
interface Exact {
  n: bigint;
  scale: number;
}

function exact(x: number): Exact {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  if (exp >= 0) return { n: mant << BigInt(exp), scale: 0 };
  return { n: mant * 5n ** BigInt(-exp), scale: -exp };
}

/** Rounds |x| half-to-even to `frac` decimals (frac may be negative): returns q with |x| ≈ q/10^frac. */
function roundExact(e: Exact, frac: number): bigint {
  const cut = e.scale - frac;
  if (cut <= 0) return e.n * 10n ** BigInt(-cut);
  const div = 10n ** BigInt(cut);
  const q = e.n / div;
  const r = e.n % div;
  const twice = r * 2n;
  if (twice > div || (twice === div && q % 2n === 1n)) return q + 1n;
  return q;
}

function placePoint(q: bigint, frac: number): string {
  if (frac <= 0) return (q * 10n ** BigInt(-frac)).toString();
  const s = q.toString().padStart(frac + 1, '0');
  return `${s.slice(0, s.length - frac)}.${s.slice(s.length - frac)}`;
}

/** `'%.{prec}f' % x` without sign handling for NaN/inf (callers check those first). */
export function toFixedPy(x: number, prec: number): string {
  const body = placePoint(roundExact(exact(x), prec), prec);
  return x < 0 || Object.is(x, -0) ? `-${body}` : body;
}

/** Decimal exponent of |x| (x finite, non-zero): floor(log10(|x|)), computed exactly. */
function exponentOf(e: Exact): number {
  return e.n.toString().length - 1 - e.scale;
}

/** Mantissa digits (prec+1 significant) and exponent of |x| rounded as `%e` does. */
export function toExponentParts(x: number, prec: number): { digits: string; exp: number } {
  if (x === 0) return { digits: '0'.repeat(prec + 1), exp: 0 };
  const e = exact(x);
  let exp = exponentOf(e);
  let q = roundExact(e, prec - exp);
  if (q.toString().length > prec + 1) {
    exp += 1;
    q = roundExact(e, prec - exp);
  }
  return { digits: q.toString(), exp };
}

/** `'%.{prec}e' % x` (without sign). */
export function toExponentialPy(x: number, prec: number, upper = false): string {
  const { digits, exp } = toExponentParts(x, prec);
  const mant = prec > 0 ? `${digits[0] ?? '0'}.${digits.slice(1)}` : digits;
  const expText = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return `${mant}${upper ? 'E' : 'e'}${expText}`;
}

/** `'%.{prec}g' % x` (without sign); `alt` is the `#` flag that keeps trailing zeros. */
export function toGeneralPy(x: number, prec: number, alt = false, upper = false): string {
  const p = prec === 0 ? 1 : prec;
  const { exp } = toExponentParts(x, p - 1);
  let out: string;
  if (exp >= -4 && exp < p) out = toFixedPy(Math.abs(x), p - 1 - exp);
  else out = toExponentialPy(Math.abs(x), p - 1, upper);
  if (alt) return out;
  const [mant = '', expPart] = out.split(/(?=[eE])/);
  const trimmed = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
  return trimmed + (expPart ?? '');
}

/** Powers of ten that are exact doubles (up to 1e22), written as literals so they are exact. */
const EXACT_POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
  1e18, 1e19, 1e20, 1e21, 1e22,
];

/**
 * `round(x, ndigits)` without big integers when the answer cannot depend on a tie: |x|·10^n is
 * computed with a relative error under 2^-53, so when its fraction is clearly away from .5 the
 * nearest integer q is certain, and q / 10^n (both exact doubles, one correctly rounded division)
 * is the double nearest the decimal q·10^-n, which is what Python returns. Undefined otherwise.
 */
function roundNearNoTie(x: number, ndigits: number): number | undefined {
  const p = EXACT_POW10[ndigits];
  if (p === undefined) return undefined;
  const s = Math.abs(x) * p;
  if (!(s < 2 ** 52)) return undefined;
  const whole = Math.floor(s);
  const frac = s - whole;
  if (Math.abs(frac - 0.5) <= s * 2 ** -50 + 2 ** -60) return undefined;
  const v = (frac > 0.5 ? whole + 1 : whole) / p;
  return x < 0 ? -v : v;
}

/** Python's `round(x, ndigits)` for floats: the double nearest the correctly rounded decimal. */
export function roundPy(x: number, ndigits: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return roundNearNoTie(x, ndigits) ?? roundPyExact(x, ndigits);
}

/** {@link roundPy} always through the exact decimal expansion (the reference for its fast path). */
export function roundPyExact(x: number, ndigits: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const q = roundExact(exact(x), ndigits);
  const text = placePoint(q, ndigits);
  const v = Number(text);
  return x < 0 ? -v : v;
}
