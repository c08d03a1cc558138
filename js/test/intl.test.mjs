// js/intl.mjs: the wall clock read from a formatter's text, as its parts say it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { wallClock } from "../intl.mjs";

const OPTIONS = { hourCycle: "h23", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" };
const formatter = (timeZone) => new Intl.DateTimeFormat("en-US", { ...OPTIONS, timeZone });
/** The packed wall clock, read from `formatToParts` by type. */
const fromParts = (f, ms) => {
  const part = Object.fromEntries(f.formatToParts(ms).map((p) => [p.type, Number(p.value)]));
  return (((part.month * 100 + part.day) * 100 + part.hour) * 100 + part.minute) * 100 + part.second;
};

test("the wall clock is the one formatToParts shows, in zones with odd offsets and DST", () => {
  for (const zone of ["Asia/Seoul", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham", "UTC"]) {
    const f = formatter(zone);
    for (let ms = Date.UTC(1960, 0, 1); ms < Date.UTC(2060, 0, 1); ms += 86_400_000 * 37 + 3_723_000) {
      assert.equal(wallClock(f, ms), fromParts(f, ms), `${zone} at ${new Date(ms).toISOString()}`);
    }
  }
  // 2026-11-27T10:00:00Z is 19:00:00 on November 27 in Seoul.
  assert.equal(wallClock(formatter("Asia/Seoul"), Date.UTC(2026, 10, 27, 10)), 1127190000);
});

test("a text without the five numbers is read from the parts; what neither shows is -1", () => {
  const parts = [
    { type: "month", value: "2" }, { type: "literal", value: "-" }, { type: "day", value: "29" },
    { type: "literal", value: " " }, { type: "hour", value: "23" }, { type: "minute", value: "05" }, { type: "second", value: "07" },
  ];
  const other = { format: () => "Feb 29, 23:05:07", formatToParts: () => parts };
  assert.equal(wallClock(other, 0), 229230507);
  assert.equal(wallClock({ format: () => "2/29/2024, 23:05:07", formatToParts: () => parts }, 0), 229230507, "six numbers: read from the parts");
  assert.equal(wallClock({ format: () => "x", formatToParts: () => parts.slice(0, 4) }, 0), -1, "no hour, minute or second");
  assert.equal(wallClock({ format: () => "x", formatToParts: () => [...parts.slice(0, 6), { type: "second", value: "٠٧" }] }, 0), -1, "not ASCII digits");
  assert.equal(wallClock({ format: () => { throw new RangeError("invalid time value"); } }, 0), -1);
  assert.equal(wallClock(formatter("UTC"), 8.64e15 + 1), -1, "beyond what a Date holds");
});
