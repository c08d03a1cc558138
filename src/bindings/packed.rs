//! Rust values handed to JavaScript as plain data, packed for one boundary crossing:
//! every string in one text, everything else in one `Float64Array` (a view of the
//! wasm's memory, not a copy), each object's keys once per shape. `js/values.mjs`
//! rebuilds the value that `JSON.parse(serde_json::to_string(value))` makes, at a
//! fraction of its cost: `JSON.parse` makes every string and object of a report
//! anew from text (a 100-action report: about 130 µs), the unpacker only the values.

use serde::ser::{self, Impossible, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/values.mjs")]
extern "C" {
    /// The value packed in `text` and `data` (see [`Packer`]).
    fn unpack(text: &str, data: &[f64]) -> JsValue;
}

/// The tags of the value stream, as js/values.mjs reads them.
const NULL: f64 = 0.0;
const FALSE: f64 = 1.0;
const TRUE: f64 = 2.0;
/// Followed by the number.
const NUMBER: f64 = 3.0;
/// Followed by its length in UTF-16 units; the text is next in `text`.
const STRING: f64 = 4.0;
/// Followed by its length, then its elements.
const ARRAY: f64 = 5.0;
/// Followed by its shape, then a value per key of the shape.
const OBJECT: f64 = 6.0;

/// Why a value could not be packed: a custom error of its `Serialize`, or a map key
/// that is not a string, a number, a boolean or a unit variant (serde_json refuses
/// those too).
#[derive(Debug)]
pub struct PackError(String);

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PackError {}

impl ser::Error for PackError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        PackError(msg.to_string())
    }
}

/// A plain JS value (objects, arrays, strings, numbers, booleans, null) equal to
/// `JSON.parse(serde_json::to_string(value))`: the same keys in the same order,
/// non-finite numbers as `null`.
pub fn to_js(value: &impl Serialize) -> Result<JsValue, PackError> {
    let mut packer = Packer::default();
    value.serialize(&mut packer)?;
    let (text, data) = packer.finish();
    Ok(unpack(&text, &data))
}

/// A fast hash for short keys (field names, key indices); the inputs are the
/// crate's own values, not an adversary's choice of many.
#[derive(Default)]
struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            for (to, from) in word.iter_mut().zip(chunk) {
                *to = *from;
            }
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K> = HashMap<K, u32, BuildHasherDefault<Fx>>;

/// `serialize_*` of numbers: each a `NUMBER` (or `NULL` when not finite).
macro_rules! numbers {
    ($($method:ident: $type:ty => $to_f64:expr),* $(,)?) => {$(
        fn $method(self, v: $type) -> Result<(), PackError> {
            self.number($to_f64(v));
            Ok(())
        }
    )*};
}

/// `serialize_*` of map keys that serde_json writes in decimal (or `true`/`false`).
macro_rules! shown_keys {
    ($($method:ident: $type:ty),* $(,)?) => {$(
        fn $method(self, v: $type) -> Result<(), PackError> {
            self.shown(v)
        }
    )*};
}

/// How many shapes [`Packer::close_object`] compares before it hashes.
const RECENT_SHAPES: usize = 8;

/// Writes a value as js/values.mjs reads it: `data` is the key count, each key's
/// length, the shape count, each shape (its key count, its key indices), then the
/// value stream (tags above); `text` is the keys, then the strings of the stream.
#[derive(Default)]
struct Packer {
    key_text: String,
    key_lengths: Vec<f64>,
    /// Field names, by address (the same name at two addresses is two keys, which
    /// is only a longer table); map keys by content.
    field_keys: FxMap<(usize, usize)>,
    /// The last field names seen, by a slot of their address: each name's address,
    /// length and key. Most fields are found here, without hashing.
    recent_fields: [(usize, usize, u32); 32],
    map_keys: FxMap<Box<str>>,
    shapes: Vec<f64>,
    shape_ids: FxMap<Box<[u32]>>,
    /// The shapes used last, searched before `shape_ids` (a value's objects repeat a
    /// few shapes).
    recent_shapes: Vec<(Box<[u32]>, u32)>,
    /// The keys of the objects being written, innermost last.
    open_keys: Vec<u32>,
    stream: Vec<f64>,
    text: String,
}

/// A string's length as JavaScript counts it, as the stream holds numbers.
fn utf16_len(text: &str) -> f64 {
    crate::transport::js_length(text) as f64
}

impl Packer {
    fn finish(self) -> (String, Vec<f64>) {
        let mut text = self.key_text;
        text.push_str(&self.text);
        let mut data =
            Vec::with_capacity(2 + self.key_lengths.len() + self.shapes.len() + self.stream.len());
        data.push(self.key_lengths.len() as f64);
        data.extend(self.key_lengths);
        data.push(self.shape_ids.len() as f64);
        data.extend(self.shapes);
        data.extend(self.stream);
        (text, data)
    }

    fn string(&mut self, value: &str) {
        self.stream.push(STRING);
        self.stream.push(utf16_len(value));
        self.text.push_str(value);
    }

    fn number(&mut self, value: f64) {
        if value.is_finite() {
            self.stream.push(NUMBER);
            self.stream.push(value);
        } else {
            self.stream.push(NULL);
        }
    }

    fn new_key(&mut self, name: &str) -> u32 {
        let index = self.key_lengths.len() as u32;
        self.key_lengths.push(utf16_len(name));
        self.key_text.push_str(name);
        index
    }

    /// A struct field's (or a variant's) name as the next key of the open object.
    fn field_key(&mut self, name: &'static str) {
        let (at, len) = (name.as_ptr() as usize, name.len());
        let slot = (at >> 2) % self.recent_fields.len();
        let index = match self.recent_fields.get(slot) {
            // Key 0 with address 0 is an empty slot: no name lives at address 0.
            Some(&(a, l, index)) if a == at && l == len => index,
            _ => {
                let index = match self.field_keys.get(&(at, len)) {
                    Some(&index) => index,
                    None => {
                        let index = self.new_key(name);
                        self.field_keys.insert((at, len), index);
                        index
                    }
                };
                if let Some(recent) = self.recent_fields.get_mut(slot) {
                    *recent = (at, len, index);
                }
                index
            }
        };
        self.open_keys.push(index);
    }

    /// A map key as the next key of the open object.
    fn map_key(&mut self, name: &str) {
        let index = match self.map_keys.get(name) {
            Some(&index) => index,
            None => {
                let index = self.new_key(name);
                self.map_keys.insert(Box::from(name), index);
                index
            }
        };
        self.open_keys.push(index);
    }

    fn open_object(&mut self) -> Open {
        self.stream.push(OBJECT);
        self.stream.push(0.0);
        Open {
            at: self.stream.len() - 1,
            keys_from: self.open_keys.len(),
        }
    }

    /// Files the object's shape (its keys, in order) where its stream said 0.
    fn close_object(&mut self, open: Open) {
        let keys = self.open_keys.get(open.keys_from..).unwrap_or_default();
        let recent = self.recent_shapes.iter().find(|(k, _)| **k == *keys);
        let shape = match recent {
            Some(&(_, shape)) => shape,
            None => {
                let shape = match self.shape_ids.get(keys) {
                    Some(&shape) => shape,
                    None => {
                        let shape = self.shape_ids.len() as u32;
                        self.shapes.push(keys.len() as f64);
                        self.shapes.extend(keys.iter().map(|&k| f64::from(k)));
                        self.shape_ids.insert(Box::from(keys), shape);
                        shape
                    }
                };
                if self.recent_shapes.len() == RECENT_SHAPES {
                    self.recent_shapes.remove(0);
                }
                self.recent_shapes.push((Box::from(keys), shape));
                shape
            }
        };
        if let Some(slot) = self.stream.get_mut(open.at) {
            *slot = f64::from(shape);
        }
        self.open_keys.truncate(open.keys_from);
    }

    /// `{variant: …}`, open for the variant's value.
    fn open_variant(&mut self, variant: &'static str) -> Open {
        let open = self.open_object();
        self.field_key(variant);
        open
    }

    fn open_array(&mut self) -> usize {
        self.stream.push(ARRAY);
        self.stream.push(0.0);
        self.stream.len() - 1
    }

    fn close_array(&mut self, at: usize, length: usize) {
        if let Some(slot) = self.stream.get_mut(at) {
            *slot = length as f64;
        }
    }
}

/// An object being written: where its shape goes, and where its keys start.
struct Open {
    at: usize,
    keys_from: usize,
}

/// An array, map or struct being written (a variant's is inside a one-key object).
struct Compound<'p> {
    packer: &'p mut Packer,
    /// The array's length slot, and its elements so far.
    array: Option<(usize, usize)>,
    object: Option<Open>,
    /// The `{variant: …}` object around it, if it is a variant's.
    variant: Option<Open>,
}

impl Compound<'_> {
    fn end(self) {
        if let Some((at, length)) = self.array {
            self.packer.close_array(at, length);
        }
        if let Some(open) = self.object {
            self.packer.close_object(open);
        }
        if let Some(open) = self.variant {
            self.packer.close_object(open);
        }
    }

    fn element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), PackError> {
        if let Some((_, length)) = self.array.as_mut() {
            *length += 1;
        }
        value.serialize(&mut *self.packer)
    }
}

impl<'p> ser::Serializer for &'p mut Packer {
    type Ok = ();
    type Error = PackError;
    type SerializeSeq = Compound<'p>;
    type SerializeTuple = Compound<'p>;
    type SerializeTupleStruct = Compound<'p>;
    type SerializeTupleVariant = Compound<'p>;
    type SerializeMap = Compound<'p>;
    type SerializeStruct = Compound<'p>;
    type SerializeStructVariant = Compound<'p>;

    fn serialize_bool(self, v: bool) -> Result<(), PackError> {
        self.stream.push(if v { TRUE } else { FALSE });
        Ok(())
    }

    numbers! {
        serialize_i8: i8 => f64::from,
        serialize_i16: i16 => f64::from,
        serialize_i32: i32 => f64::from,
        serialize_u8: u8 => f64::from,
        serialize_u16: u16 => f64::from,
        serialize_u32: u32 => f64::from,
        serialize_f64: f64 => f64::from,
        // Beyond 2^53, rounded to the nearest double, as `JSON.parse` rounds the digits.
        serialize_i64: i64 => |v| v as f64,
        serialize_i128: i128 => |v| v as f64,
        serialize_u64: u64 => |v| v as f64,
        serialize_u128: u128 => |v| v as f64,
    }

    /// As its shortest decimal reads as a double (serde_json writes that decimal).
    fn serialize_f32(self, v: f32) -> Result<(), PackError> {
        self.number(v.to_string().parse().unwrap_or(f64::NAN));
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), PackError> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), PackError> {
        self.string(v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), PackError> {
        let at = self.open_array();
        for &byte in v {
            self.number(f64::from(byte));
        }
        self.close_array(at, v.len());
        Ok(())
    }

    fn serialize_none(self) -> Result<(), PackError> {
        self.stream.push(NULL);
        Ok(())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), PackError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), PackError> {
        self.stream.push(NULL);
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), PackError> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), PackError> {
        self.string(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), PackError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), PackError> {
        let open = self.open_variant(variant);
        value.serialize(&mut *self)?;
        self.close_object(open);
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'p>, PackError> {
        let at = self.open_array();
        Ok(Compound {
            packer: self,
            array: Some((at, 0)),
            object: None,
            variant: None,
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'p>, PackError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'p>, PackError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'p>, PackError> {
        let open = self.open_variant(variant);
        let at = self.open_array();
        Ok(Compound {
            packer: self,
            array: Some((at, 0)),
            object: None,
            variant: Some(open),
        })
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'p>, PackError> {
        let open = self.open_object();
        Ok(Compound {
            packer: self,
            array: None,
            object: Some(open),
            variant: None,
        })
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'p>, PackError> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'p>, PackError> {
        let outer = self.open_variant(variant);
        let open = self.open_object();
        Ok(Compound {
            packer: self,
            array: None,
            object: Some(open),
            variant: Some(outer),
        })
    }
}

/// The element-wise compounds: arrays, tuples and their variants.
macro_rules! elements {
    ($($trait:ident :: $method:ident),* $(,)?) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = PackError;

            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), PackError> {
                self.element(value)
            }

            fn end(self) -> Result<(), PackError> {
                Compound::end(self);
                Ok(())
            }
        }
    )*};
}

elements! {
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = PackError;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), PackError> {
        key.serialize(MapKey(&mut *self.packer))
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), PackError> {
        value.serialize(&mut *self.packer)
    }

    fn end(self) -> Result<(), PackError> {
        Compound::end(self);
        Ok(())
    }
}

/// The field-wise compounds: structs and struct variants.
macro_rules! fields {
    ($($trait:ident),* $(,)?) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = PackError;

            fn serialize_field<T: ?Sized + Serialize>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), PackError> {
                self.packer.field_key(key);
                value.serialize(&mut *self.packer)
            }

            fn end(self) -> Result<(), PackError> {
                Compound::end(self);
                Ok(())
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

/// A map key, made a string as serde_json makes it: strings and chars as they are,
/// numbers and booleans as serde_json writes them (a float only when finite), a unit
/// variant by its name, `Some` as what it holds; anything else is refused.
struct MapKey<'p>(&'p mut Packer);

fn key_refused() -> PackError {
    PackError("a map key must be a string, a finite number or a boolean".into())
}

impl MapKey<'_> {
    fn shown(self, key: impl fmt::Display) -> Result<(), PackError> {
        self.0.map_key(&key.to_string());
        Ok(())
    }

    /// A float key in serde_json's digits (its shortest form, not `Display`'s).
    fn float(self, finite: bool, key: &impl Serialize) -> Result<(), PackError> {
        let text = serde_json::to_string(key)
            .ok()
            .filter(|_| finite)
            .ok_or_else(key_refused)?;
        self.0.map_key(&text);
        Ok(())
    }
}

impl ser::Serializer for MapKey<'_> {
    type Ok = ();
    type Error = PackError;
    type SerializeSeq = Impossible<(), PackError>;
    type SerializeTuple = Impossible<(), PackError>;
    type SerializeTupleStruct = Impossible<(), PackError>;
    type SerializeTupleVariant = Impossible<(), PackError>;
    type SerializeMap = Impossible<(), PackError>;
    type SerializeStruct = Impossible<(), PackError>;
    type SerializeStructVariant = Impossible<(), PackError>;

    fn serialize_str(self, v: &str) -> Result<(), PackError> {
        self.0.map_key(v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), PackError> {
        self.0.map_key(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    shown_keys! {
        serialize_bool: bool,
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_i128: i128,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_u128: u128,
    }

    fn serialize_f32(self, v: f32) -> Result<(), PackError> {
        self.float(f64::from(v).is_finite(), &v)
    }

    fn serialize_f64(self, v: f64) -> Result<(), PackError> {
        self.float(v.is_finite(), &v)
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<(), PackError> {
        Err(key_refused())
    }

    fn serialize_none(self) -> Result<(), PackError> {
        Err(key_refused())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), PackError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), PackError> {
        Err(key_refused())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), PackError> {
        Err(key_refused())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), PackError> {
        self.0.map_key(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), PackError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), PackError> {
        Err(key_refused())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, PackError> {
        Err(key_refused())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, PackError> {
        Err(key_refused())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, PackError> {
        Err(key_refused())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, PackError> {
        Err(key_refused())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, PackError> {
        Err(key_refused())
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, PackError> {
        Err(key_refused())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, PackError> {
        Err(key_refused())
    }
}
