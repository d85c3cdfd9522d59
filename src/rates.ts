/** 2^32 and 2^64: the widths kernel counters wrap at (32-bit on old or 32-bit kernels). */
const WRAP_32 = 1n << 32n;
const WRAP_64 = 1n << 64n;

export interface CounterReading {
  value: bigint;
  atMs: number;
}

export type RateOutcome =
  | { kind: 'first' }
  | { kind: 'rate'; perSec: number; delta: bigint }
  | { kind: 'wrapped'; perSec: number; delta: bigint }
  | { kind: 'reset' };

/**
 * The per-second rate between two readings of one counter. Values are BigInt
 * so that counters past 2^53 stay exact; only the delta becomes a Number.
 * A counter that goes down either wrapped (it was close to 2^32 or 2^64 and
 * the wrapped delta is small) or was reset (a module reload, an interface
 * recreated): a reset gives no rate for that interval, never a negative one.
 */
export function counterRate(previous: CounterReading | undefined, current: CounterReading): RateOutcome {
  if (!previous) return { kind: 'first' };
  const seconds = (current.atMs - previous.atMs) / 1000;
  if (!(seconds > 0)) return { kind: 'reset' };
  if (current.value >= previous.value) {
    const delta = current.value - previous.value;
    return { kind: 'rate', perSec: Number(delta) / seconds, delta };
  }
  for (const width of [WRAP_32, WRAP_64]) {
    if (previous.value < width && current.value < width) {
      const delta = width - previous.value + current.value;
      // A true wrap leaves a small delta; a reset leaves "almost the whole range".
      if (delta < width / 4n) return { kind: 'wrapped', perSec: Number(delta) / seconds, delta };
    }
  }
  return { kind: 'reset' };
}

/** Mean of the finite values: a rate over a window from per-tick rates. */
export function meanFinite(values: number[]): number | undefined {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? undefined : sum / n;
}

/** A BigInt as a JSON number when it is exact, as a string when it is not. */
export function jsonInteger(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
}
