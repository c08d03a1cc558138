// The JavaScript half of src/bindings/packed.rs: rebuilds a value the wasm packed
// (strings in one text, the rest in a Float64Array view of its memory) as the plain
// data `JSON.parse` would make of its JSON. wasm-bindgen copies this file into
// pkg/snippets/ and imports it.

const NULL = 0, FALSE = 1, TRUE = 2, NUMBER = 3, STRING = 4, ARRAY = 5, OBJECT = 6;

// The value being read: module state, not a closure per call (nothing in reading
// one runs code that could read another).
let text = "";
let data = null;
let shapes = null;
let at = 0;
let pos = 0;

/** The value of `text` and `data`, read before the wasm runs again (`data` is a view
 *  of its memory). */
export function unpack(packedText, packedData) {
  text = packedText;
  data = packedData;
  at = 0;
  pos = 0;
  try {
    return read();
  } finally {
    // Neither the text nor the view of the wasm's memory is kept.
    text = "";
    data = null;
    shapes = null;
  }
}

/** The key table, the shapes, then the value. */
function read() {
  const keys = [];
  for (let count = data[at++]; keys.length < count; ) keys.push(text.slice(pos, (pos += data[at++])));
  // Each shape: its keys, and whether one is a property of Object.prototype
  // ("__proto__", "toString", or a setter a library added): an assignment would reach
  // that (set the prototype, call the setter, or throw where Object.prototype is
  // frozen), where JSON.parse defines an own property.
  shapes = [];
  for (let count = data[at++]; shapes.length < count; ) {
    const shape = [];
    for (let n = data[at++]; shape.length < n; ) shape.push(keys[data[at++]]);
    shape.special = shape.some((key) => key in Object.prototype);
    shapes.push(shape);
  }
  return value();
}

/** The next value; the commonest kinds tested first. */
function value() {
  const kind = data[at++];
  if (kind === STRING) return text.slice(pos, (pos += data[at++]));
  if (kind === OBJECT) {
    const shape = shapes[data[at++]];
    const object = {};
    if (shape.special) {
      for (const key of shape) Object.defineProperty(object, key, { value: value(), writable: true, enumerable: true, configurable: true });
    } else {
      for (let i = 0; i < shape.length; i++) object[shape[i]] = value();
    }
    return object;
  }
  if (kind === NUMBER) return data[at++];
  if (kind === TRUE) return true;
  if (kind === FALSE) return false;
  if (kind === NULL) return null;
  if (kind === ARRAY) {
    const array = [];
    for (let n = data[at++]; array.length < n; ) array.push(value());
    return array;
  }
  throw new Error(`nks-edge: a packed value is corrupt at ${at - 1}`);
}
