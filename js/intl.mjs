// The JavaScript half of src/schedule/clock.rs's `IntlZones`: a wall clock read from
// `Intl` in one call. wasm-bindgen copies this file into pkg/snippets/ and imports it.

const SLOTS = { month: 0, day: 1, hour: 2, minute: 3, second: 4 };
const DIGITS = /^\d{1,2}$/;

/**
 * The wall clock `formatter` (an en-US `Intl.DateTimeFormat` showing month, day,
 * hour, minute and second: month before day) shows at `ms`, packed as one number:
 * month·10⁸ + day·10⁶ + hour·10⁴ + minute·10² + second. -1 when it cannot (an
 * instant `Date` cannot hold, a field missing or not one or two digits): never throws.
 */
export function wallClock(formatter, ms) {
  try {
    // `format` is a fraction of `formatToParts`' cost: its text ("11/27, 19:00:00" in
    // en-US) is read when it holds five numbers, in that order; else the parts are.
    const packed = numbersOf(formatter.format(ms));
    return packed >= 0 ? packed : fromParts(formatter.formatToParts(ms));
  } catch {
    return -1;
  }
}

/** The five numbers of 1 or 2 ASCII digits in `text`, packed; -1 unless five. */
function numbersOf(text) {
  const numbers = text.match(/\d+/g);
  return numbers?.length === 5 && numbers.every((n) => n.length <= 2) ? pack(numbers.map(Number)) : -1;
}

function fromParts(parts) {
  const fields = [-1, -1, -1, -1, -1];
  for (const { type, value } of parts) {
    const slot = SLOTS[type];
    if (slot !== undefined) fields[slot] = DIGITS.test(value) ? Number(value) : -1;
  }
  return pack(fields);
}

/** Month, day, hour, minute and second as one number; -1 if one is missing. */
function pack(fields) {
  let packed = 0;
  for (const field of fields) {
    if (field < 0) return -1;
    packed = packed * 100 + field;
  }
  return packed;
}
