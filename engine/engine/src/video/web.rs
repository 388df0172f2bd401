//! In the browser, each video plays in a `<video>` element the page never shows: the browser's
//! own decoder (in hardware on phones), its own buffering and HTTP range requests. Its
//! `currentTime` is the video's clock, so captions and the time on the bar follow it; each frame
//! whose picture has moved on is drawn into a small 2D canvas and copied into the screen's
//! texture. Its sound goes through Web Audio (a source for the element, split into left and
//! right gains that the spatial engine sets each frame): placed at the screen and ducking the
//! ambience as natively. Where Web Audio is not to be had, the element plays it as it is.
//!
//! Elements are JavaScript objects, which cannot live in Bevy's resources (they are not `Send`);
//! the browser runs the viewer on one thread, so they are kept in a thread-local map by video id.
//! The few DOM calls are declared here rather than through more web-sys features, which would
//! rebuild wgpu and Bevy for the browser.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = HTMLVideoElement)]
    type VideoElement;
    #[wasm_bindgen(method, setter = crossOrigin)]
    fn set_cross_origin(this: &VideoElement, value: &str);
    #[wasm_bindgen(method, setter = preload)]
    fn set_preload(this: &VideoElement, value: &str);
    #[wasm_bindgen(method, setter = playsInline)]
    fn set_plays_inline(this: &VideoElement, value: bool);
    #[wasm_bindgen(method, setter = src)]
    fn set_src(this: &VideoElement, value: &str);
    #[wasm_bindgen(method, js_name = removeAttribute)]
    fn remove_attribute(this: &VideoElement, name: &str);
    #[wasm_bindgen(method)]
    fn load(this: &VideoElement);
    #[wasm_bindgen(method, catch)]
    fn play(this: &VideoElement) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(method)]
    fn pause(this: &VideoElement);
    #[wasm_bindgen(method, getter)]
    fn paused(this: &VideoElement) -> bool;
    #[wasm_bindgen(method, setter = muted)]
    fn set_muted(this: &VideoElement, value: bool);
    #[wasm_bindgen(method, setter = volume)]
    fn set_volume(this: &VideoElement, value: f64);

    #[wasm_bindgen(method, getter = currentTime)]
    fn current_time(this: &VideoElement) -> f64;
    #[wasm_bindgen(method, setter = currentTime)]
    fn set_current_time(this: &VideoElement, value: f64);
    #[wasm_bindgen(method, getter = readyState)]
    fn ready_state(this: &VideoElement) -> u16;
    #[wasm_bindgen(method, js_name = canPlayType)]
    fn can_play_type(this: &VideoElement, mime: &str) -> String;
    #[wasm_bindgen(method, getter)]
    fn error(this: &VideoElement) -> Option<MediaError>;

    type MediaError;
    #[wasm_bindgen(method, getter)]
    fn code(this: &MediaError) -> u16;
    #[wasm_bindgen(method, getter)]
    fn message(this: &MediaError) -> String;

    #[wasm_bindgen(js_name = HTMLCanvasElement)]
    type Canvas;
    #[wasm_bindgen(method, setter = width)]
    fn set_width(this: &Canvas, value: u32);
    #[wasm_bindgen(method, setter = height)]
    fn set_height(this: &Canvas, value: u32);
    #[wasm_bindgen(method, js_name = getContext)]
    fn get_context(this: &Canvas, kind: &str, options: &JsValue) -> Option<Context2d>;

    #[wasm_bindgen(js_name = CanvasRenderingContext2D)]
    type Context2d;
    #[wasm_bindgen(method, catch, js_name = drawImage)]
    fn draw_image(
        this: &Context2d,
        image: &VideoElement,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
    ) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = getImageData)]
    fn get_image_data(
        this: &Context2d,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
    ) -> Result<ImageData, JsValue>;

    type ImageData;
    #[wasm_bindgen(method, getter)]
    fn data(this: &ImageData) -> js_sys::Uint8ClampedArray;

    type Document;
    #[wasm_bindgen(method, js_name = createElement)]
    fn create_element(this: &Document, tag: &str) -> JsValue;
}

fn create(tag: &str) -> Option<JsValue> {
    let document = js_sys::Reflect::get(&js_sys::global(), &"document".into()).ok()?;
    if document.is_undefined() || document.is_null() {
        return None;
    }
    Some(document.unchecked_into::<Document>().create_element(tag))
}

fn new_video() -> Option<VideoElement> {
    create("video").map(JsCast::unchecked_into)
}

struct Player {
    element: VideoElement,
    context: Context2d,
    width: u32,
    height: u32,
    /// The element's time at the last copied frame.
    copied_at: Option<f64>,
    /// When (ms, the page's clock) the element began waiting for data while playing.
    waiting_since: Option<f64>,
    /// Waits longer than [`STALL_MS`] since the last rendition change.
    stalls: u32,
    /// Its sound's Web Audio route, when it has one.
    route: Option<SoundRoute>,
    /// The page-held URL of a rendition checked before it played ([`object_url`]), released
    /// when the element goes.
    object_url: Option<String>,
}

/// A video's sound in Web Audio: the source node (disconnected when the element goes, so a
/// kiosk switching exhibits all day does not pile up nodes) and the left and right gains.
struct SoundRoute {
    nodes: Vec<JsValue>,
    left: JsValue,
    right: JsValue,
    /// The gains last set: unchanged ones are not sent again each frame.
    set: (f32, f32),
}

thread_local! {
    /// One Web Audio context for every video's sound, made at the first.
    static AUDIO: RefCell<Option<JsValue>> = RefCell::default();
}

/// Calls `target.method(...args)`.
fn call(target: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(target, &method.into())?.dyn_into()?;
    let list = js_sys::Array::new();
    for a in args {
        list.push(a);
    }
    f.apply(target, &list)
}

fn audio_context() -> Option<JsValue> {
    AUDIO.with_borrow_mut(|context| {
        if context.is_none() {
            let class = js_sys::Reflect::get(&js_sys::global(), &"AudioContext".into()).ok()?;
            let class: js_sys::Function = class.dyn_into().ok()?;
            *context = js_sys::Reflect::construct(&class, &js_sys::Array::new()).ok();
        }
        context.clone()
    })
}

/// Routes the element's sound through a left and a right gain into the speakers: the gains'
/// `AudioParam`s, silent until the engine places the sound. `None` where Web Audio cannot take
/// it (the element then plays its sound itself).
fn route_sound(element: &VideoElement) -> Option<SoundRoute> {
    let context = audio_context()?;
    let element: &JsValue = element.as_ref();
    let source = call(&context, "createMediaElementSource", &[element]).ok()?;
    let splitter = call(&context, "createChannelSplitter", &[&2.into()]).ok()?;
    let merger = call(&context, "createChannelMerger", &[&2.into()]).ok()?;
    let left = call(&context, "createGain", &[]).ok()?;
    let right = call(&context, "createGain", &[]).ok()?;
    let destination = js_sys::Reflect::get(&context, &"destination".into()).ok()?;
    call(&source, "connect", &[&splitter]).ok()?;
    call(&splitter, "connect", &[&left, &0.into()]).ok()?;
    call(&splitter, "connect", &[&right, &1.into()]).ok()?;
    call(&left, "connect", &[&merger, &0.into(), &0.into()]).ok()?;
    call(&right, "connect", &[&merger, &0.into(), &1.into()]).ok()?;
    call(&merger, "connect", &[&destination]).ok()?;
    let param = |gain: &JsValue| {
        let p = js_sys::Reflect::get(gain, &"gain".into()).ok()?;
        js_sys::Reflect::set(&p, &"value".into(), &0.0.into()).ok()?;
        Some(p)
    };
    Some(SoundRoute {
        left: param(&left)?,
        right: param(&right)?,
        nodes: vec![source, splitter, left, right, merger],
        set: (0.0, 0.0),
    })
}

/// Sets the gains of a video's routed sound (the spatial engine's, each frame), gliding over
/// 20 ms so a moving visitor hears no steps.
pub fn set_gains(id: &str, left: f32, right: f32) {
    let Some(now) = AUDIO.with_borrow(|c| {
        c.as_ref()
            .and_then(|c| js_sys::Reflect::get(c, &"currentTime".into()).ok())
            .and_then(|t| t.as_f64())
    }) else {
        return;
    };
    with(id, |p| {
        if let Some(route) = &mut p.route {
            let (l0, r0) = route.set;
            if (left - l0).abs() < 1e-4 && (right - r0).abs() < 1e-4 {
                return;
            }
            route.set = (left, right);
            for (param, value) in [(&route.left, left), (&route.right, right)] {
                let _ = call(
                    param,
                    "setTargetAtTime",
                    &[&f64::from(value).into(), &now.into(), &0.02.into()],
                );
            }
        }
    });
}

/// A browser starts an audio context suspended until the visitor has touched the page: resumed
/// at each play (which a touch usually is).
fn resume_audio() {
    AUDIO.with_borrow(|c| {
        if let Some(c) = c {
            let _ = call(c, "resume", &[]);
        }
    });
}

/// A wait for data this long while playing counts as a stall: the link cannot carry the
/// rendition (a seek's own short wait does not count).
const STALL_MS: f64 = 1500.0;
/// Stalls after which a smaller rendition is played.
const STALLS_BEFORE_STEPPING_DOWN: u32 = 2;

/// The browser's estimate of the link, bits per second (`navigator.connection.downlink`, in
/// Chromium-based browsers; capped at 10 Mbit/s there), where it gives one.
pub fn link_estimate() -> Option<f64> {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let connection = js_sys::Reflect::get(&navigator, &"connection".into()).ok()?;
    if connection.is_undefined() || connection.is_null() {
        return None;
    }
    let mbps = js_sys::Reflect::get(&connection, &"downlink".into())
        .ok()?
        .as_f64()?;
    (mbps.is_finite() && mbps > 0.0).then_some(mbps * 1e6)
}

/// Whether the element has stalled often enough that a smaller rendition should play: waits
/// for data while playing, each longer than [`STALL_MS`], counted since the last change.
pub fn keeps_stalling(id: &str) -> bool {
    with(id, |p| {
        // HAVE_FUTURE_DATA: enough to play on.
        let waiting = !p.element.paused() && p.element.ready_state() < 3;
        let now = js_sys::Date::now();
        match (waiting, p.waiting_since) {
            (false, _) => p.waiting_since = None,
            (true, None) => p.waiting_since = Some(now),
            (true, Some(since)) if now - since > STALL_MS => {
                p.stalls += 1;
                // The same wait counts once.
                p.waiting_since = Some(f64::INFINITY);
            }
            _ => {}
        }
        p.stalls >= STALLS_BEFORE_STEPPING_DOWN
    })
    .unwrap_or(false)
}

/// Plays another rendition in the same element from the same moment, playing or paused as
/// before: no restart of the viewer, a moment's wait while it buffers.
pub fn switch_rendition(id: &str, url: &str, (width, height): (u32, u32)) {
    with(id, |p| {
        let time = p.element.current_time();
        let playing = !p.element.paused();
        p.element.set_src(url);
        p.element.set_current_time(time);
        if playing {
            let _ = p.element.play();
        }
        let canvas: JsValue =
            js_sys::Reflect::get(&p.context, &"canvas".into()).unwrap_or(JsValue::NULL);
        if let Some(canvas) = canvas.dyn_ref::<js_sys::Object>() {
            let canvas: &Canvas = canvas.unchecked_ref();
            canvas.set_width(width);
            canvas.set_height(height);
        }
        (p.width, p.height) = (width, height);
        p.copied_at = None;
        p.waiting_since = None;
        p.stalls = 0;
    });
}

thread_local! {
    static PLAYERS: RefCell<HashMap<String, Player>> = RefCell::default();
}

/// Whether this browser can play `mime` (e.g. `video/webm; codecs="vp09.00.31.08, opus"`).
pub fn can_play(mime: &str) -> bool {
    new_video().is_some_and(|v| !v.can_play_type(mime).is_empty())
}

/// Starts loading the video at `url` for the screen `id`, scaled to `width × height`, with the
/// manifest's `loop`. `Ok(true)` when its sound goes through Web Audio (the engine then sets
/// its gains, the manifest's `volume` among them); otherwise the element plays it at `volume`
/// (at most 1, an element's limit).
pub fn open(
    id: &str,
    url: &str,
    (width, height): (u32, u32),
    volume: f32,
    looped: bool,
) -> Result<bool, String> {
    let element = new_video().ok_or("no document to make a <video> in")?;
    element.set_volume(f64::from(volume.clamp(0.0, 1.0)));
    // The element loops by itself: at its end it is paused, and the viewer's loop could not
    // tell that from a visitor's pause.
    js_sys::Reflect::set(&element, &"loop".into(), &looped.into()).ok();
    element.set_cross_origin("anonymous");
    element.set_preload("auto");
    element.set_plays_inline(true);
    element.set_src(url);
    let canvas: Canvas = create("canvas")
        .ok_or("no document to make a <canvas> in")?
        .unchecked_into();
    canvas.set_width(width);
    canvas.set_height(height);
    let options = js_sys::Object::new();
    // Read back every frame: the browser keeps such a canvas in memory, not on the GPU.
    js_sys::Reflect::set(&options, &"willReadFrequently".into(), &true.into()).ok();
    let context = canvas
        .get_context("2d", &options)
        .ok_or("the browser gives no 2D canvas")?;
    let route = route_sound(&element);
    if route.is_some() {
        element.set_volume(1.0);
    }
    let routed = route.is_some();
    PLAYERS.with_borrow_mut(|p| {
        p.insert(
            id.to_owned(),
            Player {
                element,
                context,
                width,
                height,
                copied_at: None,
                waiting_since: None,
                stalls: 0,
                route,
                object_url: url.starts_with("blob:").then(|| url.to_owned()),
            },
        )
    });
    Ok(routed)
}

/// A URL for `bytes` that the page holds (a `Blob`), for a rendition of a signed package: its
/// bytes were fetched and checked against the signed list, and the element plays those, not
/// whatever the server sends next. `mime` is the rendition's type.
pub fn object_url(bytes: &[u8], mime: &str) -> Result<String, String> {
    let global = js_sys::global();
    let blob: js_sys::Function = js_sys::Reflect::get(&global, &"Blob".into())
        .and_then(|b| b.dyn_into::<js_sys::Function>())
        .map_err(|_| "this browser has no Blob".to_owned())?;
    let options = js_sys::Object::new();
    let kind = mime.split(';').next().unwrap_or_default().trim();
    js_sys::Reflect::set(&options, &"type".into(), &kind.into()).ok();
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let blob = js_sys::Reflect::construct(&blob, &js_sys::Array::of2(&parts, &options))
        .map_err(|e| format!("the browser made no Blob of it: {e:?}"))?;
    let urls = js_sys::Reflect::get(&global, &"URL".into())
        .map_err(|_| "this browser has no URL".to_owned())?;
    call(&urls, "createObjectURL", &[&blob])
        .ok()
        .and_then(|u| u.as_string())
        .ok_or_else(|| "the browser gave no URL for it".to_owned())
}

/// Stops and forgets every element (a switch of exhibit).
pub fn close_all() {
    PLAYERS.with_borrow_mut(|players| {
        for (_, p) in players.drain() {
            for node in p.route.iter().flat_map(|r| &r.nodes) {
                let _ = call(node, "disconnect", &[]);
            }
            p.element.pause();
            // Drops the download: an element keeps its connection while it has a source.
            p.element.remove_attribute("src");
            p.element.load();
            // A checked rendition's bytes stay in the page until their URL is released.
            if let Some(url) = p.object_url
                && let Ok(urls) = js_sys::Reflect::get(&js_sys::global(), &"URL".into())
            {
                let _ = call(&urls, "revokeObjectURL", &[&JsValue::from(url.as_str())]);
            }
        }
    });
}

fn with<T>(id: &str, f: impl FnOnce(&mut Player) -> T) -> Option<T> {
    PLAYERS.with_borrow_mut(|p| p.get_mut(id).map(f))
}

pub fn position(id: &str) -> Option<f64> {
    with(id, |p| p.element.current_time())
}

pub fn playing(id: &str) -> Option<bool> {
    with(id, |p| !p.element.paused())
}

/// Plays; where the browser refuses sound before the visitor has touched the page, plays muted.
pub fn play(id: &str) {
    resume_audio();
    with(id, |p| {
        let element: VideoElement = AsRef::<JsValue>::as_ref(&p.element)
            .clone()
            .unchecked_into();
        if let Ok(started) = p.element.play() {
            wasm_bindgen_futures::spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(started).await.is_err() {
                    element.set_muted(true);
                    let _ = element.play();
                }
            });
        }
    });
}

pub fn pause(id: &str) {
    with(id, |p| p.element.pause());
}

pub fn seek(id: &str, time: f64) {
    with(id, |p| p.element.set_current_time(time));
}

/// The element failed (a missing file, a codec it cannot play): its reason, once known.
pub fn error(id: &str) -> Option<String> {
    with(id, |p| {
        p.element.error().map(|e| {
            let what = match e.code() {
                1 => "loading was stopped",
                2 => "a network error stopped the download",
                3 => "the file could not be decoded",
                _ => "the browser cannot play this file or cannot find it",
            };
            format!("{what} ({})", e.message())
        })
    })
    .flatten()
}

/// The picture at the element's time, `width × height × 4` bytes, when it has moved on since
/// the last copy: `(time, rgba)`.
pub fn copy_frame(id: &str) -> Option<(f64, Vec<u8>)> {
    with(id, |p| {
        // HAVE_CURRENT_DATA: a picture to draw.
        if p.element.ready_state() < 2 {
            return None;
        }
        let time = p.element.current_time();
        if p.copied_at == Some(time) {
            return None;
        }
        let (w, h) = (f64::from(p.width), f64::from(p.height));
        p.context.draw_image(&p.element, 0.0, 0.0, w, h).ok()?;
        let data = p.context.get_image_data(0.0, 0.0, w, h).ok()?;
        p.copied_at = Some(time);
        Some((time, data.data().to_vec()))
    })
    .flatten()
}
