// The JavaScript half of reading answers (src/api/answer.rs): the body is parsed
// here and shaped in place by the operation's shape, which the wasm encodes once per
// operation (`[fields, labels]`, see `encode` there). Walking the parsed answer here
// costs a property access per field; from the wasm it cost a call across the boundary
// each. wasm-bindgen copies this file into pkg/snippets/ and imports it.

const FLAG = 'expected a boolean or "True"/"False"';
const COUNT = "expected a whole number (or a string of digits)";
const WORDS = /^\s*(true|false)\s*$/i;
const DIGITS = /^\s*\+?\d+\s*$/;
const MAX = 4294967295;

class Wrong {
  constructor(path, message) {
    this.path = path;
    this.message = message;
  }
}

const under = (prefix, path) => (path === "" ? prefix : path.startsWith("[") ? prefix + path : `${prefix}.${path}`);

function flag(value) {
  if (typeof value === "boolean") return value;
  const words = typeof value === "string" && WORDS.exec(value);
  if (!words) throw new Wrong("", FLAG);
  return words[1].toLowerCase() === "true";
}

function count(value) {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX) return value;
  if (typeof value === "string" && DIGITS.test(value)) {
    const n = Number(value);
    if (n <= MAX) return n;
  }
  throw new Wrong("", COUNT);
}

const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

/** The value of one field of kind `kind` (a code, or `[2, shape]` / `[3, shape]`). */
function leaf(kind, value) {
  switch (kind) {
    case 0:
      return flag(value);
    case 1:
      return count(value);
    case 2:
      if (typeof value !== "string") throw new Wrong("", "expected a string");
      return value;
    case 5:
      if (!isObject(value)) throw new Wrong("", "expected an object");
      for (const key of Object.keys(value)) {
        if (value[key] !== null && value[key] !== undefined) value[key] = within(key, () => flag(value[key]));
      }
      return value;
  }
  if (kind[0] === 3) return object(kind[1], value);
  if (!Array.isArray(value)) throw new Wrong("", "expected an array");
  for (let i = 0; i < value.length; i++) within(`[${i}]`, () => object(kind[1], value[i]));
  return value;
}

function within(prefix, read) {
  try {
    return read();
  } catch (e) {
    if (e instanceof Wrong) e.path = under(prefix, e.path);
    throw e;
  }
}

/** Shapes `value`, an object of `shape` (`[fields, labels]`), in place. */
function object([fields, labels], value) {
  if (!isObject(value)) throw new Wrong("", "expected an object");
  if (labels !== 0) {
    for (const [name, kind] of labels) {
      const v = value[name];
      if (v !== null && v !== undefined) value[name] = within(name, () => leaf(kind, v));
    }
  }
  for (const field of fields) shapeField(field, value);
  return value;
}

/** One field (`[name, kind, required, alias]`) of `value`. */
function shapeField([name, kind, required, alias], value) {
  if (alias !== 0 && value[name] === undefined && alias in value) {
    value[name] = value[alias];
    delete value[alias];
  }
  const v = value[name];
  if (v === null || v === undefined) {
    if (required) throw new Wrong(name, "is missing");
    return;
  }
  value[name] = within(name, () => leaf(kind, v));
}

/**
 * Parses `text` and shapes it by `answer` (`[0, shape]`: the whole body; `[1, field]`:
 * one field of it, `{}` when an optional one is absent). Answers `[0, value]`, or
 * `[1, path, message]` when the body is not JSON or not of the shape (the message
 * never quotes the body).
 */
export function shape(text, answer) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return [1, "", "the answer is not JSON"];
  }
  try {
    if (answer[0] === 0) return [0, object(answer[1], body)];
    if (!isObject(body)) throw new Wrong("", "expected an object");
    shapeField(answer[1], body);
    return [0, body[answer[1][0]] ?? {}];
  } catch (e) {
    if (e instanceof Wrong) return [1, e.path, e.message];
    throw e;
  }
}
