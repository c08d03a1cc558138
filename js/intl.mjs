// The JavaScript half of src/schedule/clock.rs's `IntlZones`: a wall clock read from
// `Intl` in one call. wasm-bindgen copies this file into pkg/snippets/ and imports it.

const SLOTS = { month: 0, day: 1, hour: 2, minute: 3, second: 4 };
const DIGITS = /^\d{1,2}$/;

/**
 * The wall clock `formatter` (an `Intl.DateTimeFormat` showing month, day, hour,
 * minute and second) shows at `ms`, packed as one number: month·10⁸ + day·10⁶ +
 * hour·10⁴ + minute·10² + second. -1 when it cannot (an instant `Date` cannot hold,
 * a field missing or not one or two digits): never throws.
 */
export function wallClock(formatter, ms) {
  try {
    const fields = [-1, -1, -1, -1, -1];
    for (const { type, value } of formatter.formatToParts(ms)) {
      const slot = SLOTS[type];
      if (slot !== undefined) fields[slot] = DIGITS.test(value) ? Number(value) : -1;
    }
    let packed = 0;
    for (const field of fields) {
      if (field < 0) return -1;
      packed = packed * 100 + field;
    }
    return packed;
  } catch {
    return -1;
  }
}
