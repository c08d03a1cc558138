//! How requests leave the process: the [`Transport`] trait, the `fetch` implementation
//! for wasm32 (`Fetch`), reqwest natively (`Native`, feature `native`) and a scripted
//! one for tests ([`Replay`]).

use std::cell::{Cell, OnceCell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// The HTTP methods the NKS and Identity APIs use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// The response headers the client reads; a transport may drop the others.
pub const RESPONSE_HEADERS: [&str; 3] = [
    "x-openstack-request-id",
    "x-compute-request-id",
    "retry-after",
];

/// Header names whose values are secrets: masked in `Debug` output.
const SECRET_HEADERS: [&str; 2] = ["x-auth-token", "authorization"];

/// A request's header names and values, in sending order; shared (a client sends
/// the same set until its token changes).
pub type Headers = Rc<[(String, String)]>;

/// One HTTP request, fully built.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// Header names and values, in sending order.
    pub headers: Headers,
    /// The JSON body, if any.
    pub body: Option<String>,
    /// How long the transport may wait for the whole answer.
    pub timeout_ms: u32,
}

impl HttpRequest {
    /// The value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let masked = SECRET_HEADERS.iter().any(|s| k.eq_ignore_ascii_case(s));
                (k.as_str(), if masked { "***" } else { v.as_str() })
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body_bytes", &self.body.as_ref().map(String::len))
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

/// One HTTP answer. `Debug` shows the body's length, not the body: an answer can
/// carry a kubeconfig or a token.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers of [`RESPONSE_HEADERS`] the answer had.
    pub headers: ResponseHeaders,
    /// The body (empty when there is none).
    pub body: Body,
}

/// What a JavaScript transport hands over as a JS value, read into Rust only when
/// something asks for it (most answers are read for their body alone, and some
/// not even that: the package hands them to JavaScript as they came).
#[derive(Clone, Default)]
struct FromJs<T: ReadJs> {
    value: OnceCell<T>,
    #[cfg(target_arch = "wasm32")]
    js: Option<T::Js>,
}

/// How a [`FromJs`] value is read from what JavaScript handed over.
trait ReadJs: Default {
    #[cfg(target_arch = "wasm32")]
    type Js: Clone;
    #[cfg(target_arch = "wasm32")]
    fn read(js: &Self::Js) -> Self;
}

impl<T: ReadJs> FromJs<T> {
    fn ready(value: T) -> Self {
        FromJs {
            value: OnceCell::from(value),
            #[cfg(target_arch = "wasm32")]
            js: None,
        }
    }

    #[cfg(target_arch = "wasm32")]
    fn js(js: T::Js) -> Self {
        FromJs {
            value: OnceCell::new(),
            js: Some(js),
        }
    }

    fn get(&self) -> &T {
        self.value.get_or_init(|| {
            #[cfg(target_arch = "wasm32")]
            if let Some(js) = &self.js {
                return T::read(js);
            }
            T::default()
        })
    }

    /// Whether the value was read (or never was JS).
    fn is_read(&self) -> bool {
        self.value.get().is_some()
    }

    fn into_inner(self) -> T {
        let _ = self.get();
        self.value.into_inner().unwrap_or_default()
    }
}

/// An answer's body. From the fetch transport (`Fetch`, wasm32) it stays the
/// JavaScript string it arrived as until something reads it as text: answers the
/// package hands to JavaScript are parsed there and never copied into the wasm.
#[derive(Clone, Default)]
pub struct Body(FromJs<String>);

impl ReadJs for String {
    /// The string, and its length in UTF-16 units.
    #[cfg(target_arch = "wasm32")]
    type Js = (wasm_bindgen::JsValue, u32);
    #[cfg(target_arch = "wasm32")]
    fn read((js, units): &Self::Js) -> Self {
        fetch::text_of(js, *units)
    }
}

impl Body {
    /// The body as text.
    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// A body that is a JavaScript string of `units` UTF-16 units.
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn from_js(js: wasm_bindgen::JsValue, units: u32) -> Self {
        Body(FromJs::js((js, units)))
    }

    /// The body as a JavaScript string (made from the text if it came as text).
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn js(&self) -> wasm_bindgen::JsValue {
        match &self.0.js {
            Some((js, _)) => js.clone(),
            None => wasm_bindgen::JsValue::from_str(self.text()),
        }
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Body(FromJs::ready(text))
    }
}

impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

impl Eq for Body {}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_read() {
            write!(f, "Body({} bytes)", self.text().len())
        } else {
            f.write_str("Body(a JavaScript string, not read)")
        }
    }
}

/// An answer's headers (names and values). From the fetch transport they stay in
/// the JavaScript `Headers` until one is asked for: a tick's answers are read for
/// their bodies only, and each header read from JavaScript costs a string copy.
#[derive(Clone, Default)]
pub struct ResponseHeaders(FromJs<Vec<(String, String)>>);

impl ReadJs for Vec<(String, String)> {
    #[cfg(target_arch = "wasm32")]
    type Js = wasm_bindgen::JsValue;
    #[cfg(target_arch = "wasm32")]
    fn read(js: &Self::Js) -> Self {
        RESPONSE_HEADERS
            .iter()
            .filter_map(|name| Some(((*name).to_owned(), fetch::header(js, name)?)))
            .collect()
    }
}

impl ResponseHeaders {
    /// The value of a header, matched case-insensitively.
    pub fn get(&self, name: &str) -> Option<&str> {
        find_header(self.0.get(), name)
    }

    /// The names and values, in the order they came.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.get().iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The headers of a JavaScript `Headers` (or anything with a `get`).
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn from_js(js: wasm_bindgen::JsValue) -> Self {
        ResponseHeaders(FromJs::js(js))
    }
}

impl From<Vec<(String, String)>> for ResponseHeaders {
    fn from(list: Vec<(String, String)>) -> Self {
        ResponseHeaders(FromJs::ready(list))
    }
}

impl PartialEq for ResponseHeaders {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Eq for ResponseHeaders {}

impl fmt::Debug for ResponseHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_read() {
            f.debug_list().entries(self.iter()).finish()
        } else {
            f.write_str("ResponseHeaders(in JavaScript, not read)")
        }
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

impl HttpResponse {
    /// An answer with a JSON body.
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        HttpResponse {
            status,
            headers: vec![("content-type".into(), "application/json".into())].into(),
            body: Body::from(body.into()),
        }
    }

    /// Adds a header (builder style).
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        let mut list = std::mem::take(&mut self.headers).0.into_inner();
        list.push((name.to_owned(), value.to_owned()));
        self.headers = list.into();
        self
    }

    /// The value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Why no answer came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportError {
    /// The request took longer than its `timeout_ms`.
    Timeout,
    /// The connection failed or closed without an answer; the text says how.
    Network(String),
}

/// What the client needs from its runtime: send a request, wait, read the clock.
///
/// The futures are not `Send`: wasm32 is single-threaded, and so is the client.
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// Sends one request and returns its answer, whatever its status.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
    /// Waits `ms` milliseconds (between retries).
    async fn sleep(&self, ms: u64);
    /// The current time, in milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

type Responder = Box<dyn FnMut(&HttpRequest) -> Result<HttpResponse, TransportError>>;

/// A transport for tests: answers from a script, records every request, and keeps a
/// virtual clock that `sleep` advances (so retry delays are asserted, not waited for).
///
/// `send` yields once before answering, so concurrent callers really interleave.
pub struct Replay {
    responder: RefCell<Responder>,
    requests: RefCell<Vec<HttpRequest>>,
    sleeps: RefCell<Vec<u64>>,
    now_ms: Cell<i64>,
    latency_ms: i64,
}

impl Replay {
    /// A transport whose answers come from `responder`, with the clock at `now_ms`.
    pub fn new(
        now_ms: i64,
        responder: impl FnMut(&HttpRequest) -> Result<HttpResponse, TransportError> + 'static,
    ) -> Self {
        Replay {
            responder: RefCell::new(Box::new(responder)),
            requests: RefCell::new(Vec::new()),
            sleeps: RefCell::new(Vec::new()),
            now_ms: Cell::new(now_ms),
            latency_ms: 0,
        }
    }

    /// The same transport, each request taking `ms` of virtual time (the clock moves
    /// when it is answered). Latencies add up: requests in flight together take as
    /// long as one after another.
    pub fn with_latency(self, ms: i64) -> Self {
        Replay {
            latency_ms: ms,
            ..self
        }
    }

    /// Every request sent so far, in order.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.requests.borrow().clone()
    }

    /// Every `sleep` so far, in milliseconds.
    pub fn sleeps(&self) -> Vec<u64> {
        self.sleeps.borrow().clone()
    }

    /// Moves the virtual clock forward.
    pub fn advance(&self, ms: i64) {
        self.now_ms.set(self.now_ms.get() + ms);
    }
}

impl Transport for Replay {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        YieldOnce(false).await;
        self.requests.borrow_mut().push(request.clone());
        self.advance(self.latency_ms);
        (self.responder.borrow_mut())(&request)
    }

    async fn sleep(&self, ms: u64) {
        self.sleeps.borrow_mut().push(ms);
        self.advance(i64::try_from(ms).unwrap_or(i64::MAX));
    }

    fn now_ms(&self) -> i64 {
        self.now_ms.get()
    }
}

/// A future that is pending once, then ready.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use fetch::Fetch;
#[cfg(target_arch = "wasm32")]
pub(crate) use fetch::{first_attempt, FirstAttempt};

/// A string's length as JavaScript counts it (UTF-16 units): where a string crosses
/// to JavaScript with positions in it.
#[cfg(target_arch = "wasm32")]
pub(crate) fn js_length(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.encode_utf16().count()
    }
}

#[cfg(target_arch = "wasm32")]
mod fetch {
    use super::{
        Body, Headers, HttpRequest, HttpResponse, Method, ResponseHeaders, Transport,
        TransportError,
    };
    use js_sys::Promise;
    use std::cell::{Cell, RefCell};
    use std::future::Future;
    use std::pin::Pin;
    use std::rc::Rc;
    use std::task::{Context, Poll, Waker};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    #[wasm_bindgen(module = "/js/transport.mjs")]
    extern "C" {
        /// Sends one request through the global `fetch`; the answer, or why there is
        /// none, comes back through `settle` (see js/transport.mjs). Never throws.
        fn send(
            settle: &js_sys::Function,
            id: u32,
            method: u8,
            url_and_body: &str,
            body_at: i32,
            headers: &JsValue,
            timeout_ms: u32,
        );

        /// Sends a call's first attempt and settles the call with its answer when
        /// `answer` reads it, else hands it to `client.resume` (see js/transport.mjs).
        #[allow(clippy::too_many_arguments)]
        fn attempt(
            client: &JsValue,
            method: u8,
            url_and_body: &str,
            body_at: i32,
            headers: &JsValue,
            timeout_ms: u32,
            answer: &JsValue,
            idempotent: bool,
        ) -> Promise;

        /// A call's first attempt that JavaScript sent (made by `attempt`).
        pub type FirstAttempt;
        #[wasm_bindgen(method, getter)]
        fn method(this: &FirstAttempt) -> u8;
        #[wasm_bindgen(method, getter)]
        fn url(this: &FirstAttempt) -> String;
        #[wasm_bindgen(method, getter)]
        fn body(this: &FirstAttempt) -> Option<String>;
        #[wasm_bindgen(method, getter)]
        fn headers(this: &FirstAttempt) -> JsValue;
        #[wasm_bindgen(method, getter)]
        fn answer(this: &FirstAttempt) -> JsValue;
        #[wasm_bindgen(method, getter)]
        fn idempotent(this: &FirstAttempt) -> bool;

        /// A response header's value; never throws (see js/transport.mjs).
        pub(super) fn header(headers: &JsValue, name: &str) -> Option<String>;

        /// The headers object of "name\nvalue\n…".
        #[wasm_bindgen(js_name = headersOf)]
        fn headers_of(text: &str) -> JsValue;

        /// Writes a string's UTF-8 into `memory` at `at` (at most `capacity` bytes);
        /// answers how many it wrote.
        #[wasm_bindgen(js_name = utf8Into)]
        fn utf8_into(text: &JsValue, memory: &JsValue, at: u32, capacity: u32) -> u32;
    }

    /// A JS string's text, encoded by the engine straight into the wasm's memory: a
    /// fraction of wasm-bindgen's character-by-character copy on answers of a few KB.
    pub(super) fn text_of(text: &JsValue, units: u32) -> String {
        // UTF-8 takes at most 3 bytes per UTF-16 unit.
        let capacity = units.saturating_mul(3);
        let mut bytes = vec![0u8; capacity as usize];
        let at = bytes.as_mut_ptr() as u32;
        let written = MEMORY.with(|memory| utf8_into(text, memory, at, capacity));
        bytes.truncate(written as usize);
        String::from_utf8(bytes).unwrap_or_default()
    }

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_name = setTimeout)]
        fn set_timeout(callback: &js_sys::Function, ms: f64) -> JsValue;
    }

    /// What `settle` said about one request, and who waits for it.
    #[derive(Default)]
    struct Slot {
        answer: Option<Result<HttpResponse, TransportError>>,
        waker: Option<Waker>,
    }

    /// `settle(id, status, body, headers, units)`: `units`, the body's length.
    type Settle = dyn Fn(u32, u16, JsValue, JsValue, u32);

    /// Requests in flight, with their ids: a few at a time (a tick holds six), so a
    /// list is searched faster than a map is kept.
    type InFlightList = Vec<(u32, Slot)>;

    /// The slot of request `id`, if it is still in flight.
    fn slot(list: &mut InFlightList, id: u32) -> Option<&mut Slot> {
        list.iter_mut()
            .find(|(i, _)| *i == id)
            .map(|(_, slot)| slot)
    }

    /// Forgets request `id`.
    fn forget(list: &mut InFlightList, id: u32) {
        if let Some(at) = list.iter().position(|(i, _)| *i == id) {
            list.swap_remove(at);
        }
    }

    thread_local! {
        static IN_FLIGHT: RefCell<InFlightList> = const { RefCell::new(Vec::new()) };
        static NEXT_ID: Cell<u32> = const { Cell::new(0) };
        /// The wasm's memory, which answers' bodies are written into.
        static MEMORY: JsValue = wasm_bindgen::memory();
        /// The one callback every answer comes back through, made on first use.
        static SETTLE: Closure<Settle> = Closure::new(settle);
        /// The last header set sent, and its JS object (a client sends the same one
        /// until its token changes).
        static HEADERS: RefCell<Option<(Headers, JsValue)>> = const { RefCell::new(None) };
    }

    /// Files a timeout (`status` 1), a failure without an answer (2, `body` says
    /// why) or an answer (any other status; 0 is an opaque response). Statuses
    /// arrive as arguments, not read back from JS values: each read from the wasm
    /// side costs a call.
    fn settle(id: u32, status: u16, body: JsValue, headers: JsValue, units: u32) {
        let answer = outcome(status, body, headers, units);
        let waker = IN_FLIGHT.with(|slots| {
            let mut slots = slots.borrow_mut();
            // A request whose future was dropped (cancelled) has no slot: its answer is dropped.
            slot(&mut slots, id).and_then(|slot| {
                slot.answer = Some(answer);
                slot.waker.take()
            })
        });
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// What js/transport.mjs reported of a request: a timeout (`status` 1), no
    /// answer (2, `body` says why) or an answer (any other status; 0 is an opaque
    /// response) with `units`, its body's length.
    fn outcome(
        status: u16,
        body: JsValue,
        headers: JsValue,
        units: u32,
    ) -> Result<HttpResponse, TransportError> {
        match status {
            1 => Err(TransportError::Timeout),
            2 => Err(TransportError::Network(
                body.as_string().unwrap_or_else(|| "fetch failed".into()),
            )),
            _ => Ok(HttpResponse {
                status,
                headers: ResponseHeaders::from_js(headers),
                body: Body::from_js(body, units),
            }),
        }
    }

    /// The methods in the order of js/transport.mjs's `METHODS`: a method crosses as
    /// its index there.
    const METHODS: [Method; 4] = [Method::Get, Method::Post, Method::Patch, Method::Delete];

    /// A request as js/transport.mjs takes it: its method's index, its URL and body as
    /// one string (each string made in JS costs a decoder call) with where the body
    /// starts in UTF-16 units (-1: none), and its headers object.
    struct Wire<'r> {
        method: u8,
        text: std::borrow::Cow<'r, str>,
        body_at: i32,
        headers: JsValue,
    }

    fn wire(request: &HttpRequest) -> Wire<'_> {
        let method = METHODS
            .iter()
            .position(|m| *m == request.method)
            .and_then(|i| u8::try_from(i).ok())
            .unwrap_or_default();
        let (text, body_at) = match &request.body {
            None => (request.url.as_str().into(), -1),
            Some(body) => {
                let at = super::js_length(&request.url);
                (
                    [request.url.as_str(), body].concat().into(),
                    i32::try_from(at).unwrap_or(i32::MAX),
                )
            }
        };
        Wire {
            method,
            text,
            body_at,
            headers: headers(request),
        }
    }

    /// Sends `request`, a call's first attempt, from JavaScript (js/transport.mjs's
    /// `attempt`), which settles the call itself with a 2xx answer that `answer` (its
    /// encoded shape; `undefined`: nothing to read) reads. Anything else goes to
    /// `client.resume` with the [`FirstAttempt`], for [`FirstAttempt::take_over`]:
    /// a call that succeeds at once never waits on the wasm again.
    pub(crate) fn first_attempt(
        client: &JsValue,
        request: &HttpRequest,
        answer: &JsValue,
        idempotent: bool,
    ) -> Promise {
        let wire = wire(request);
        attempt(
            client,
            wire.method,
            &wire.text,
            wire.body_at,
            &wire.headers,
            request.timeout_ms,
            answer,
            idempotent,
        )
    }

    /// What Rust needs of a first attempt to take the call over.
    pub(crate) struct TakeOver {
        pub method: Method,
        pub url: String,
        pub body: Option<String>,
        /// The request's headers, as sent.
        pub headers: Vec<(String, String)>,
        /// The answer's encoded shape.
        pub answer: JsValue,
        pub idempotent: bool,
        pub outcome: Result<HttpResponse, TransportError>,
    }

    impl FirstAttempt {
        /// The attempt and what came of it (as `settle` reports it).
        pub(crate) fn take_over(
            &self,
            status: u16,
            body: JsValue,
            headers: JsValue,
            units: u32,
        ) -> Option<TakeOver> {
            let sent = js_sys::Object::entries(&self.headers().dyn_into().ok()?)
                .iter()
                .map(|pair| {
                    let pair: js_sys::Array = pair.dyn_into().ok()?;
                    Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
                })
                .collect::<Option<Vec<_>>>()?;
            Some(TakeOver {
                method: *METHODS.get(usize::from(self.method()))?,
                url: self.url(),
                body: self.body(),
                headers: sent,
                answer: self.answer(),
                idempotent: self.idempotent(),
                outcome: outcome(status, body, headers, units),
            })
        }
    }

    /// The JS object of `request`'s headers, made once per header set.
    fn headers(request: &HttpRequest) -> JsValue {
        HEADERS.with(|last| {
            let mut last = last.borrow_mut();
            if let Some((headers, object)) = last.as_ref() {
                if Rc::ptr_eq(headers, &request.headers) || *headers == request.headers {
                    return object.clone();
                }
            }
            let mut text = String::with_capacity(256);
            for (name, value) in request.headers.iter() {
                text.push_str(name);
                text.push('\n');
                text.push_str(value);
                text.push('\n');
            }
            let object = headers_of(&text);
            *last = Some((Rc::clone(&request.headers), object.clone()));
            object
        })
    }

    /// One request in flight: ready once `settle` filed its answer. Dropping it
    /// forgets the request.
    struct InFlight(u32);

    impl Future for InFlight {
        type Output = Result<HttpResponse, TransportError>;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            IN_FLIGHT.with(|slots| {
                let mut slots = slots.borrow_mut();
                let Some(slot) = slot(&mut slots, self.0) else {
                    return Poll::Ready(Err(TransportError::Network("request lost".into())));
                };
                match slot.answer.take() {
                    Some(answer) => {
                        forget(&mut slots, self.0);
                        Poll::Ready(answer)
                    }
                    None => {
                        if !slot.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                            slot.waker = Some(cx.waker().clone());
                        }
                        Poll::Pending
                    }
                }
            })
        }
    }

    impl Drop for InFlight {
        fn drop(&mut self) {
            IN_FLIGHT.with(|slots| forget(&mut slots.borrow_mut(), self.0));
        }
    }

    /// The global `fetch` (workerd, Node >= 18, Deno, browsers), through
    /// js/transport.mjs: one call per request, with its timeout (a shared
    /// `AbortSignal.timeout`, see there).
    #[derive(Clone, Copy, Debug, Default)]
    pub struct Fetch;

    impl Transport for Fetch {
        async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
            let id = NEXT_ID.with(|next| {
                let id = next.get();
                next.set(id.wrapping_add(1));
                id
            });
            IN_FLIGHT.with(|slots| slots.borrow_mut().push((id, Slot::default())));
            let wire = wire(&request);
            // Forgets the request if this future is dropped (cancelled).
            let waiting = InFlight(id);
            SETTLE.with(|settle| {
                send(
                    settle.as_ref().unchecked_ref(),
                    id,
                    wire.method,
                    &wire.text,
                    wire.body_at,
                    &wire.headers,
                    request.timeout_ms,
                );
            });
            waiting.await
        }

        async fn sleep(&self, ms: u64) {
            let promise = Promise::new(&mut |resolve, _reject| {
                // Precision loss above 2^53 ms is irrelevant for a delay.
                #[allow(clippy::cast_precision_loss)]
                let delay = ms as f64;
                set_timeout(resolve.unchecked_ref(), delay);
            });
            let _ = JsFuture::from(promise).await;
        }

        fn now_ms(&self) -> i64 {
            // Milliseconds since the epoch fit an i64 exactly.
            #[allow(clippy::cast_possible_truncation)]
            let now = js_sys::Date::now() as i64;
            now
        }
    }
}

#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
pub use native::Native;

#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
mod native;
