//! Values handed to JavaScript packed (`bindings::packed`) are the values
//! `JSON.parse(serde_json::to_string(value))` makes: same keys in the same order,
//! same strings and numbers, over hand-picked edge cases and 2000 random trees.
//! Runs in Node (wasm32), where the unpacker runs.
#![cfg(target_arch = "wasm32")]

use nks_edge::bindings::packed::to_js;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

/// What JavaScript sees of a value made by `JSON.parse` of serde_json's text.
fn parsed(value: &impl Serialize) -> JsValue {
    js_sys::JSON::parse(&serde_json::to_string(value).unwrap()).unwrap()
}

fn text(value: &JsValue) -> String {
    js_sys::JSON::stringify(value).unwrap().as_string().unwrap()
}

/// Equal as JSON text (keys in order, own properties only) and, for numbers, by
/// `Object.is` (which JSON text cannot tell: -0).
fn assert_same(value: &impl Serialize) {
    let (ours, theirs) = (to_js(value).unwrap(), parsed(value));
    assert_eq!(text(&ours), text(&theirs));
    if theirs.as_f64().is_some() {
        assert!(js_sys::Object::is(&ours, &theirs), "{ours:?} vs {theirs:?}");
    }
}

#[derive(Serialize)]
enum Kind {
    Unit,
    Newtype(u8),
    Tuple(i32, String),
    Struct { a: Option<bool>, b: Vec<f32> },
}

#[derive(Serialize)]
struct Outer {
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<u8>,
    kinds: Vec<Kind>,
    unit: (),
    pair: (char, f64),
    #[serde(with = "serde_bytes_as_seq")]
    bytes: Vec<u8>,
    by_number: BTreeMap<u32, &'static str>,
    by_flag: BTreeMap<bool, i64>,
    by_kind: BTreeMap<KeyKind, u8>,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
enum KeyKind {
    First,
    Second,
}

/// `serialize_bytes`, which derive only reaches through a helper.
mod serde_bytes_as_seq {
    pub fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }
}

#[wasm_bindgen_test]
fn edge_cases_unpack_as_json_parse_makes_them() {
    for value in [
        json!(null),
        json!(true),
        json!(0),
        json!(-0.0),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(1.5e300),
        json!(""),
        json!("quotes \" and \\ and\nnew lines\t\u{0}"),
        json!("한국어 ✓ 🚀 (astral, two UTF-16 units)"),
        json!([]),
        json!({}),
        json!([[], {}, [[]], {"": {}}]),
        json!({"__proto__": {"polluted": true}, "constructor": 1, "0": "a", "10": "b", "1": "c"}),
        json!({"b": 1, "a": 2, "한": "키", "🚀": [1, "🚀"]}),
    ] {
        assert_same(&value);
    }
    assert_same(&f64::NAN);
    assert_same(&f64::INFINITY);
    assert_same(&0.1f32);
    assert_same(&Some(u128::MAX));
    assert_same(&Outer {
        name: "outer",
        skipped: None,
        kinds: vec![
            Kind::Unit,
            Kind::Newtype(7),
            Kind::Tuple(-3, "tuple".into()),
            Kind::Struct {
                a: None,
                b: vec![0.1, f32::NAN, -2.5],
            },
            Kind::Struct {
                a: Some(false),
                b: vec![],
            },
        ],
        unit: (),
        pair: ('ß', -0.0),
        bytes: vec![0, 127, 255],
        by_number: BTreeMap::from([(2, "two"), (10, "ten")]),
        by_flag: BTreeMap::from([(true, 1), (false, -1)]),
        by_kind: BTreeMap::from([(KeyKind::First, 1), (KeyKind::Second, 2)]),
    });
    // Objects of one shape, and the same keys in another order: two shapes.
    assert_same(&json!([{"a": 1, "b": 2}, {"a": 3, "b": 4}, {"b": 5, "a": 6}, {"a": 7}]));
}

/// Map keys as serde_json writes them (floats in its shortest digits, `Some` as what
/// it holds); a key serde_json refuses is refused, not made up.
#[wasm_bindgen_test]
fn map_keys_are_serde_jsons() {
    struct Floats;
    impl Serialize for Floats {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = s.serialize_map(None)?;
            map.serialize_entry(&1.5f64, &1)?;
            map.serialize_entry(&1e20f64, &2)?;
            map.serialize_entry(&0.1f32, &3)?;
            map.end()
        }
    }
    assert_same(&Floats);
    assert_same(&BTreeMap::from([(Some(2), "two"), (Some(10), "ten")]));
    for refused in [
        serde_json::to_string(&BTreeMap::from([((1, 2), "pair")])).is_err(),
        to_js(&BTreeMap::from([((1, 2), "pair")])).is_err(),
        serde_json::to_string(&BTreeMap::from([(None::<u8>, 1)])).is_err(),
        to_js(&BTreeMap::from([(None::<u8>, 1)])).is_err(),
    ] {
        assert!(refused);
    }
}

/// A key that names a property of `Object.prototype` (here a setter a library added)
/// is an own property of the object, as `JSON.parse` makes it: the setter is not
/// called.
#[wasm_bindgen_test]
fn keys_of_object_prototype_are_own_properties() {
    let prototype = js_sys::Reflect::get_prototype_of(&js_sys::Object::new()).unwrap();
    let descriptor = js_sys::Object::new();
    let setter = js_sys::Function::new_with_args("v", "globalThis.__setterCalled = true");
    js_sys::Reflect::set(&descriptor, &"set".into(), &setter).unwrap();
    js_sys::Reflect::set(&descriptor, &"configurable".into(), &true.into()).unwrap();
    js_sys::Object::define_property(&prototype, &"name".into(), &descriptor);
    let value = json!([{"name": "bob", "toString": "text"}, {"name": "ann", "toString": "x"}]);
    let (ours, theirs) = (to_js(&value).unwrap(), parsed(&value));
    js_sys::Reflect::delete_property(&prototype, &"name".into()).unwrap();
    assert_eq!(text(&ours), text(&theirs));
    let called = js_sys::Reflect::get(&js_sys::global(), &"__setterCalled".into()).unwrap();
    assert!(called.is_undefined(), "the prototype's setter ran");
}

/// A random JSON tree: depth-bounded, with strings from a pool that repeats keys
/// (shapes shared) and holds non-ASCII text.
fn tree(next: &mut impl FnMut(u64) -> u64, depth: u32) -> Value {
    const WORDS: [&str; 8] = ["a", "name", "status", "", "__proto__", "키", "🚀x", "0"];
    let word = |n: u64| WORDS[n as usize % WORDS.len()].to_owned();
    match next(if depth == 0 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(next(2) == 1),
        2 => json!(next(1 << 40) as i64 - (1 << 39)),
        3 => json!(next(1_000_000) as f64 / 7.0),
        4 => Value::String(word(next(64)) + &word(next(64))),
        5 => Value::Array((0..next(5)).map(|_| tree(next, depth - 1)).collect()),
        _ => {
            let mut map = Map::new();
            for _ in 0..next(5) {
                map.insert(word(next(64)), tree(next, depth - 1));
            }
            Value::Object(map)
        }
    }
}

#[wasm_bindgen_test]
fn random_trees_unpack_as_json_parse_makes_them() {
    let mut state = 11u64;
    let mut next = |below: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % below
    };
    for _ in 0..2000 {
        let value = tree(&mut next, 4);
        assert_eq!(
            text(&to_js(&value).unwrap()),
            text(&parsed(&value)),
            "{value}"
        );
    }
}

/// More field names than the packer keeps by address, in structs of many shapes: its
/// caches of names and shapes give way without mixing them up, and a shape pushed out
/// of the recent ones comes back under its own number.
#[derive(Serialize)]
struct Wide {
    a0: u8,
    a1: u8,
    a2: u8,
    a3: u8,
    a4: u8,
    a5: u8,
    a6: u8,
    a7: u8,
    a8: u8,
    a9: u8,
    b0: u8,
    b1: u8,
    b2: u8,
    b3: u8,
    b4: u8,
    b5: u8,
    b6: u8,
    b7: u8,
    b8: u8,
    b9: u8,
    c0: u8,
    c1: u8,
    c2: u8,
    c3: u8,
    c4: u8,
    c5: u8,
    c6: u8,
    c7: u8,
    c8: u8,
    c9: u8,
    d0: u8,
    d1: u8,
    d2: u8,
    d3: u8,
    d4: u8,
    d5: u8,
    d6: u8,
    d7: u8,
    d8: u8,
    d9: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    maybe: Option<Box<Wide>>,
}

#[wasm_bindgen_test]
fn many_names_and_shapes_unpack_as_json_parse_makes_them() {
    let wide = |n: u8, maybe| Wide {
        a0: n,
        a1: 1,
        a2: 2,
        a3: 3,
        a4: 4,
        a5: 5,
        a6: 6,
        a7: 7,
        a8: 8,
        a9: 9,
        b0: n,
        b1: 1,
        b2: 2,
        b3: 3,
        b4: 4,
        b5: 5,
        b6: 6,
        b7: 7,
        b8: 8,
        b9: 9,
        c0: n,
        c1: 1,
        c2: 2,
        c3: 3,
        c4: 4,
        c5: 5,
        c6: 6,
        c7: 7,
        c8: 8,
        c9: 9,
        d0: n,
        d1: 1,
        d2: 2,
        d3: 3,
        d4: 4,
        d5: 5,
        d6: 6,
        d7: 7,
        d8: 8,
        d9: 9,
        maybe,
    };
    let nested = (0..3)
        .map(|n| wide(n, Some(Box::new(wide(n + 10, None)))))
        .collect::<Vec<_>>();
    // Maps of a dozen shapes between the structs: more shapes than are kept recent.
    let maps: Vec<Value> = (0..12)
        .map(|n| Value::Object((0..=n).map(|k| (format!("k{k}"), Value::from(k))).collect()))
        .collect();
    // The flat struct's shape again, after the maps pushed it out of the recent ones:
    // found in the map, and kept recent under its own number.
    assert_same(&(nested, maps, wide(99, None), wide(98, None)));
}
