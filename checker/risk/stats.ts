/**
 * The statistics of `dnsmc risk`: confidence intervals for a proportion
 * (Wilson's score interval and the exact Clopper-Pearson interval), for a
 * mean (the normal approximation), and Wald's sequential probability ratio
 * test. Pure functions of counts: no randomness, no time.
 */

/** A two-sided interval. */
export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** The standard normal quantile (Acklam's rational approximation: relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must lie in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  return x;
}

/** Wilson's score interval for `k` successes in `n` trials at `confidence` (two-sided). */
export function wilson(k: number, n: number, confidence: number): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: k === 0 ? 0 : Math.max(0, centre - half), high: k === n ? 1 : Math.min(1, centre + half) };
}

/** ln Γ(x), Lanczos (g = 7, n = 9). */
function lnGamma(x: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const y = x - 1;
  let s = g[0];
  for (let i = 1; i < 9; i++) s += g[i] / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(s);
}

/** The continued fraction of the incomplete beta function (Numerical Recipes' betacf). */
function betacf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function betaRegularized(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betacf(a, b, x)) / a : 1 - (front * betacf(b, a, 1 - x)) / b;
}

/** The `q` quantile of Beta(a, b), by bisection (to 1e-12). */
function betaQuantile(q: number, a: number, b: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 100 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (betaRegularized(mid, a, b) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The exact (Clopper-Pearson) interval for `k` successes in `n` trials at `confidence` (two-sided). */
export function clopperPearson(k: number, n: number, confidence: number): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const tail = (1 - confidence) / 2;
  // The closed forms at the ends: k = 0 gives 1 - tail^(1/n) above, k = n gives tail^(1/n) below.
  const low = k === 0 ? 0 : k === n ? tail ** (1 / n) : betaQuantile(tail, k, n - k + 1);
  const high = k === n ? 1 : k === 0 ? 1 - tail ** (1 / n) : betaQuantile(1 - tail, k + 1, n - k);
  return { low, high };
}

/** The mean of `xs` with a normal-approximation interval at `confidence`, clipped to [lo, hi]. */
export function meanInterval(sum: number, sumSq: number, n: number, confidence: number, lo = 0, hi = 1): { mean: number } & Interval {
  if (n === 0) return { mean: 0, low: lo, high: hi };
  const mean = sum / n;
  if (n === 1) return { mean, low: lo, high: hi };
  const variance = Math.max(0, (sumSq - n * mean * mean) / (n - 1));
  const half = normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(variance / n);
  return { mean, low: Math.max(lo, mean - half), high: Math.min(hi, mean + half) };
}

/** Wald's sequential probability ratio test of `p <= p0` (below) against `p >= p1` (above), p0 < p1. */
export class Sprt {
  private llr = 0;
  private readonly up: number;
  private readonly down: number;
  private readonly acceptBelow: number;
  private readonly acceptAbove: number;
  /** Trials seen and successes (breaks) among them. */
  n = 0;
  k = 0;
  /** The decision, once taken: `below` (p <= p0 accepted) or `above` (p >= p1 accepted). */
  decision: 'below' | 'above' | null = null;

  /**
   * `alpha`: the probability of deciding `above` when p <= p0; `beta`: of
   * deciding `below` when p >= p1.
   */
  constructor(
    readonly p0: number,
    readonly p1: number,
    readonly alpha: number,
    readonly beta: number,
  ) {
    if (!(p0 >= 0 && p0 < p1 && p1 <= 1)) throw new RangeError(`Sprt: need 0 <= p0 < p1 <= 1, got ${p0}, ${p1}`);
    this.up = p0 === 0 ? Infinity : Math.log(p1 / p0);
    // log1p keeps ln((1 - p1) / (1 - p0)) from rounding to 0 when p0 and p1 are tiny.
    this.down = p1 === 1 ? -Infinity : Math.log1p(-p1) - Math.log1p(-p0);
    this.acceptAbove = Math.log((1 - beta) / alpha);
    this.acceptBelow = Math.log(beta / (1 - alpha));
  }

  /** Adds one trial's outcome; returns the decision (null while undecided). */
  add(broke: boolean): 'below' | 'above' | null {
    if (this.decision) return this.decision;
    this.n++;
    if (broke) this.k++;
    this.llr += broke ? this.up : this.down;
    if (this.llr >= this.acceptAbove) this.decision = 'above';
    else if (this.llr <= this.acceptBelow) this.decision = 'below';
    return this.decision;
  }

  /** Unbroken trials in a row that would decide `below` from the start (about ln(beta/(1-alpha)) / ln((1-p1)/(1-p0))). */
  get runsToAcceptBelow(): number {
    return Math.ceil(this.acceptBelow / this.down);
  }
}
