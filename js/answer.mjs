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

function flag(value) {
  if (typeof value === "boolean") return value;
  // The API's own spellings first: a comparison, not a regular expression.
  if (value === "True" || value === "true") return true;
  if (value === "False" || value === "false") return false;
  const words = typeof value === "string" && WORDS.exec(value);
  if (!words) throw new Wrong("", FLAG);
  return words[1].toLowerCase() === "true";
}

function count(value) {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX) return value;
  if (typeof value === "string" && (plainDigits(value) || DIGITS.test(value))) {
    const n = Number(value);
    if (n <= MAX) return n;
  }
  throw new Wrong("", COUNT);
}

/** Whether `text` is 1 to 10 ASCII digits and nothing else (how the API writes a
 *  count in labels): a loop, not a regular expression, for the common case. */
function plainDigits(text) {
  if (text.length === 0 || text.length > 10) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

/** The value of one field of kind `kind` (a code, or `[3, shape]` / `[4, shape]`). */
function leaf(kind, value) {
  switch (kind) {
    case 0:
      return typeof value === "boolean" ? value : flag(value);
    case 1:
      return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX ? value : count(value);
    case 2:
      if (typeof value !== "string") throw new Wrong("", "expected a string");
      return value;
    case 6: {
      // Strings, groups of strings flattened into them.
      if (!isObject(value)) throw new Wrong("", "expected an object");
      const out = {};
      for (const key of Object.keys(value)) {
        const v = value[key];
        if (isObject(v)) {
          for (const inner of Object.keys(v)) out[inner] = at(2, v[inner], `${key}.${inner}`);
        } else {
          out[key] = at(2, v, key);
        }
      }
      return out;
    }
    case 5:
      if (!isObject(value)) throw new Wrong("", "expected an object");
      for (const key of Object.keys(value)) {
        const v = value[key];
        if (v !== null && v !== undefined) value[key] = at(0, v, key);
      }
      return value;
  }
  if (kind[0] === 3) return object(kind[1], value);
  if (kind[0] !== 4) throw new Error(`nks-edge: unknown answer kind ${JSON.stringify(kind)}`);
  if (!Array.isArray(value)) throw new Wrong("", "expected an array");
  for (let i = 0; i < value.length; i++) {
    try {
      object(kind[1], value[i]);
    } catch (e) {
      throw under(`[${i}]`, e);
    }
  }
  return value;
}

/** `leaf(kind, value)` for the field `name`: an error's path starts with it. No
 *  closure per field: this runs for every documented field of every answer. */
function at(kind, value, name) {
  try {
    return leaf(kind, value);
  } catch (e) {
    throw under(name, e);
  }
}

function under(prefix, e) {
  if (e instanceof Wrong) e.path = e.path === "" ? prefix : e.path.startsWith("[") ? prefix + e.path : `${prefix}.${e.path}`;
  return e;
}

/** Shapes `value`, an object of `shape` (`[fields, labels]`), in place. A `null` field
 *  becomes `undefined` (absent, for the types: the API sends `null` for a field it
 *  has no value for), without deleting keys, which would slow every later access. */
function object(shape, value) {
  if (!isObject(value)) throw new Wrong("", "expected an object");
  for (const key in value) if (value[key] === null) value[key] = undefined;
  const labels = shape[1];
  if (labels !== 0) {
    for (let i = 0; i < labels.length; i++) {
      const name = labels[i][0];
      const v = value[name];
      if (v !== null && v !== undefined) value[name] = at(labels[i][1], v, name);
    }
  }
  const fields = shape[0];
  for (let i = 0; i < fields.length; i++) shapeField(fields[i], value);
  return value;
}

/** One field (`[name, kind, required, alias]`) of `value`. */
function shapeField(field, value) {
  const name = field[0];
  const alias = field[3];
  if (alias !== 0 && value[name] == null && value[alias] != null) {
    value[name] = value[alias];
    delete value[alias];
  }
  const v = value[name];
  if (v === null || v === undefined) {
    if (field[2]) throw new Wrong(name, "is missing");
    return;
  }
  value[name] = at(field[1], v, name);
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
    // An optional field that is absent: an empty map for maps, else undefined.
    const kind = answer[1][1];
    return [0, body[answer[1][0]] ?? (kind === 5 || kind === 6 || kind[0] === 3 ? {} : undefined)];
  } catch (e) {
    if (e instanceof Wrong) return [1, e.path, e.message];
    throw e;
  }
}
