//! Command-line parsing, by hand: four commands do not justify a parser dependency's build time.

use std::path::PathBuf;

use disan_engine::ShotRequest;

pub const USAGE: &str = "\
Disan: heritage exhibits of Hải Phòng, in 3D.

Usage:
  disan [PATH] [--exhibit ID] [--lang CODE] [--size WxH] [--reduce-motion] [--lod QUALITY]
        [--textures auto|jpeg|bc7|etc2] [--point-shading edl|flat]
      Open the viewer on a package or catalogue folder (default: the bundled exhibits).
      --lod thumb|low|medium|high: the level of detail to show after the thumb, whatever the
      device and the screen would choose (default: chosen by them).
      --textures: fetch levels with their JPEG textures, or with their BC7 or ETC2 copy where
      the GPU samples it (default auto: the copy the device samples, docs/exhibit-format.md).
      --point-shading: point clouds with eye-dome lighting (edl, the default: outlines and
      hollows, as Potree shows scans) or as flat discs (flat: one pass less for a weak GPU).
      --lang: vi (the default), en, or any other language every text of the exhibit is in.
      --reduce-motion: tours cut between stops behind a short fade instead of flying.
      --lesson FILE.lesson.toml [--step ID]: teach a lesson (docs/lessons.md) step by step, with
      its questions and a results summary; --step starts at one step (a slide's deep link).
      --catalogue [--map] [--tiles TEMPLATE]: open on the catalogue screen (docs/catalogue.md):
      every exhibit as cards, or as places on the map; the folder's catalog.json (written by
      `disan catalog`) is read instead of every manifest when it is there. --tiles: the map's
      XYZ tiles, a path under the folder such as tiles/{z}/{x}/{y}.png.
      --trust KEY.pub (repeatable): open only packages signed by one of these keys, and refuse
      any file that differs from what was signed (docs/integrity.md).
      --xr [--xr-frames N] [--xr-space seated|standing] [--xr-smooth]: show it in a VR headset
      through OpenXR (falls back to the desktop window when no runtime runs); leave after N
      frames in the headset (tests); a seated visitor (eyes at 1.2 m) or a standing one (the
      default); glide with the left thumbstick besides teleport and snap turn.
  disan pack SCAN --out PACKAGE [--id ID] [--unit m|cm|mm|in|ft] [--up y|z] [--keep-position] [--plain] [--no-gpu-textures] [--force] [--json] [--lang vi|en]
      Make an exhibit package from a scan (.glb, .gltf, .obj with its .mtl, .ply): normalised to
      metres, +Y up, standing on the ground; levels thumb, low, medium, high; a manifest to fill in.
      --unit/--up: the scan's unit and up axis (OBJ and PLY do not say: m and z are assumed;
      glTF says m and y, and the flags override it). --keep-position: do not centre the model
      on the ground (a model already placed for its exhibit). --plain: float geometry without
      EXT_meshopt_compression/KHR_mesh_quantization, for tools that read neither (larger files).
      Textured levels get copies with BC7 and ETC2 textures (KTX2) that GPUs sample as stored;
      --no-gpu-textures: JPEG/PNG only (a smaller package, more work for the device).
  disan pack SCAN.tif --out PACKAGE [--as document] [--width METRES | --dpi N] [--iiif-base URL] [...]
      A document scan (.tif, .png, .jpg, any size up to 65535 pixels a side): cut into an IIIF
      tile pyramid (scans/ID/info.json and its tiles, which IIIF viewers read too) and a sheet
      model of its real size (--width, or from --dpi, 600 by default). --iiif-base: the URL the
      package will be published at, for the info.json's id. `--as mesh|document|panorama|pointcloud|video|audio` says
      what the file is when its name does not (a 2:1 image is taken for a 360° panorama,
      a PLY without faces for a point cloud).
  disan pack PANO.jpg|FOLDER --out PACKAGE --as panorama [...]
      360° panoramas (equirectangular, 2:1, up to 16384×8192): each cut into multiresolution
      cube tiles (panoramas/ID/config.json, Pannellum's layout). A folder is one exhibit whose
      scenes are its photos in name order, 5 m apart, linked forward and back.
  disan pack SCAN.las|.laz|.e57|.ply --out PACKAGE [--as pointcloud] [--up y|z] [--unit ...]
      A laser scan's points (a PLY without faces is one): thinned into an octree in the Potree
      2.0 layout (pointclouds/ID/metadata.json, hierarchy.bin, octree.bin, which Potree reads
      too) with colour, intensity and classification; the viewer streams it within a point
      budget (DISAN_POINT_BUDGET, 2 000 000 by default). Survey coordinates are kept; the
      manifest's `origin` says which point stands at the exhibit's middle.
  disan pack FILM.mp4|.mov|.mkv|.webm|.avi|.mts --out PACKAGE [--as video] [...]
      A recording of a festival or performance (needs ffmpeg): renditions for school networks
      (VP9 480p, 720p, 1080p, no taller than the source, and H.264 720p for older browsers),
      a poster and a thumbnail every 5 s (videos/ID/video.json), and an intangible-heritage
      exhibit showing it on a screen; a 2:1 recording is a 360° video around the visitor.
  disan pack SONG.wav|.flac|.mp3|.ogg|.opus|.m4a --out PACKAGE [--as audio] [...]
      A sound recording without picture, a song, a story, a festival's music (needs ffmpeg):
      Opus 96 kbit/s and AAC 128 kbit/s renditions (recordings/ID/recording.json) and an
      intangible-heritage exhibit that plays it, with the video's bar, chapters and captions.
  disan pack FOLDER --out FOLDER [--jobs N] [...]
      Every scan in FOLDER and in its folders one level down, one package each, N at a time
      (default: every core). Run it again after an interruption: finished packages are skipped.
  disan validate [--lang vi|en] [--exhibits FOLDER] PATH...
      Check exhibit packages (or catalogue folders) and lessons (FILE.lesson.toml, or a folder
      of them, checked against the exhibits of FOLDER, by default the bundled ones); print every
      problem with file:line:column.
      Exits 1 if any package has errors, 2 if only warnings, 0 if all is well.
  disan kiosk --config KIOSK.toml
      Run as a museum kiosk, full screen and unattended: the gallery of the configured exhibits,
      a countdown and reset when idle, an attract loop, opening hours, a hidden exit (hold the
      configured corner, then the PIN), a status file and usage counters (docs/kiosk.md).
      --simulate HOURS [--seed N] [--start YYYY-MM-DDTHH:MM] [--exit-pin PIN] [--screenshots DIR]:
      run that many hours of simulated visitors in moments, then exit through the PIN pad (the
      soak test); save a PNG of each kind of screen the first time it shows.
  disan kiosk --hash-pin
      Read a PIN (4–12 digits) from the terminal and print the line for `exit.pin_hash`.
  disan watchdog --config KIOSK.toml [--log FILE] [--check]
      Run the kiosk and start it again when it dies or hangs (its status file stops changing
      for 60 s); staff closing it with the PIN end the watch. For machines without systemd:
      the Windows scheduled task in packaging/windows/ runs it (docs/kiosk.md). --check: check
      the configuration and say what would be watched.
  disan report LOG... [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format csv|json] [--out FILE]
      Sum kiosk usage logs per exhibit and per month (sessions, views, time, hotspots, tours,
      languages) for the yearly report; the period defaults to the current year.
  disan usage-collect --out FILE [--listen ADDR:PORT] [--origin https://SITE]...
      Receive the browser viewer's anonymous usage counters (POST /usage, from pages whose site
      sets <meta name=\"disan-usage\">) and append them to FILE, a usage log `report` reads.
      Listens on 127.0.0.1:8787 unless told; --origin limits which sites' pages may send.
  disan catalog FOLDER [--out DIR] [--base URL]
      Write the catalogue of a folder of packages: catalog.json (what the viewers' catalogue
      screen reads), catalog.jsonld and records/ID.jsonld (schema.org, for the portal's open
      data; --base is the URL the folder is published at), catalog.csv (for spreadsheets).
      DIR defaults to FOLDER.
  disan keygen --out KEYFILE
      Make the museum's signing key (KEYFILE, kept secret, outside every package) and its public
      key (KEYFILE.pub, given to kiosks and the portal).
  disan sign PACKAGE --key KEYFILE
      Write the SHA-256 of every file the exhibit uses (integrity.json) and sign it (integrity.sig).
  disan verify PACKAGE... [--trust KEY.pub]... [--allow-unsigned]
      Exit 0 only when every file matches and the signature holds (by a trusted key, if given).
  disan coords --from CODE --to CODE (LAT LON [H] | E N [H] | --csv FILE)
      Convert survey points between systems named by EPSG code, as PROJ's cs2cs does: 4326
      WGS84, 4756 VN-2000, 3405/3406 VN-2000 UTM 48N/49N, 32648/32649 WGS84 UTM 48N/49N, and
      the provinces' VN-2000 TM-3 zones (9210 Hải Phòng 105°45′, 9205–9218, 5896–5899). Prints
      `lat lon h` or `easting northing h` per point. A CSV has [name,]a,b[,h] per line.
  disan shot PATH --view NAME --out FILE.png [--size WxH] [--lang CODE] [--no-ui] [--eye left|right]
      Render one view (a view id from the manifest, a hotspot id, `home`, `about` for the
      About panel, `tour:ID:K` for stop K of a tour with its caption, `scan:ID[:REGION]` for
      the scan reader, `panorama:ID[:YAW[:PITCH]]` for a 360° scene looked at that way, in
      degrees on its photo, `video:ID[:SECONDS]` for a video or recording paused at that
      moment, or `gallery:ID[:PHOTO]` for a gallery showing that photo) to a PNG and exit.
      `--eye right`: what the right eye sees (of a top-bottom stereo 360° video; default left).
      Without a display it starts its own Xvfb server.

Keys in the viewer: drag/arrows turn, wheel/+/- zoom, 1–9 open a point of interest, Esc closes it,
L switches language, V walks (monuments), H goes home, PageUp/PageDown change exhibit;
T starts or leaves the guided tour, Space pauses it, N and B go to the next and previous stop.
In the headset: point with either controller and pull the trigger; push the right thumbstick
forward to aim a teleport, release to go; flick it left or right to turn by 30°.";

#[derive(Debug)]
pub enum Command {
    Help,
    Version,
    Validate {
        paths: Vec<PathBuf>,
        lang: Option<String>,
        /// The catalogue lessons are checked against (`--exhibits`).
        exhibits: Option<PathBuf>,
    },
    #[cfg(not(target_family = "wasm"))]
    Pack(crate::pack::PackArgs),
    #[cfg(not(target_family = "wasm"))]
    Kiosk(crate::kiosk::KioskArgs),
    #[cfg(not(target_family = "wasm"))]
    HashPin,
    #[cfg(not(target_family = "wasm"))]
    Report(crate::kiosk::ReportArgs),
    #[cfg(not(target_family = "wasm"))]
    Watchdog(crate::kiosk::WatchdogArgs),
    #[cfg(not(target_family = "wasm"))]
    UsageCollect(crate::usage_collect::CollectArgs),
    #[cfg(not(target_family = "wasm"))]
    Coords(crate::coords::CoordsArgs),
    #[cfg(not(target_family = "wasm"))]
    Catalog(crate::catalog::CatalogArgs),
    #[cfg(not(target_family = "wasm"))]
    Integrity(crate::integrity::IntegrityArgs),
    View(ViewArgs),
}

#[derive(Debug, Default)]
pub struct ViewArgs {
    pub path: Option<PathBuf>,
    pub exhibit: Option<String>,
    pub lang: String,
    pub size: Option<(u32, u32)>,
    pub shot: Option<ShotRequest>,
    pub reduce_motion: bool,
    /// Open an OpenXR session (`--xr`), leaving after N running frames if given.
    pub xr: bool,
    pub xr_frames: Option<u32>,
    /// `--xr-space seated`: a seated visitor (default: standing).
    pub xr_seated: bool,
    /// `--xr-smooth`: glide with the left thumbstick besides teleporting.
    pub xr_smooth: bool,
    /// `--soak N`: walk through N exhibits of the catalogue, log each outcome, exit (tests).
    pub soak: Option<u32>,
    /// `--scan-sweep ID`: sweep the reader across this scan at full resolution, log the tiles
    /// held and the memory, exit (tests).
    pub scan_sweep: Option<String>,
    /// `--lod QUALITY`: the level of detail to show after the thumb.
    pub lod: Option<disan_format::LodQuality>,
    /// `--textures auto|jpeg|bc7|etc2`: which textures levels are fetched with.
    pub textures: disan_engine::levels::TextureChoice,
    /// `--point-shading edl|flat`: how point clouds are shaded.
    pub point_shading: disan_engine::eye_dome::PointShading,
    /// `--lesson FILE.lesson.toml`: teach this lesson; `--step ID`: start at this step.
    pub lesson: Option<PathBuf>,
    pub step: Option<String>,
    /// `--trust KEY.pub`: open only packages signed by one of these keys.
    #[cfg(not(target_family = "wasm"))]
    pub trust: Vec<ed25519_dalek::VerifyingKey>,
    /// `--catalogue`: start on the catalogue screen; `--map`: on its map.
    pub catalogue: bool,
    pub map: bool,
    /// `--tiles TEMPLATE`: the map's XYZ tiles under the catalogue folder.
    pub tiles: Option<String>,
}

pub fn parse(args: &[String]) -> Result<Command, String> {
    let mut it = args.iter().peekable();
    let first = it.peek().map(|s| s.as_str());
    let (is_validate, is_shot) = match first {
        Some("-h" | "--help" | "help") => return Ok(Command::Help),
        Some("-V" | "--version") => return Ok(Command::Version),
        Some("validate") => (true, false),
        Some("shot") => (false, true),
        _ => (false, false),
    };
    if is_validate || is_shot {
        it.next();
    }
    #[cfg(not(target_family = "wasm"))]
    {
        if first == Some("pack") {
            it.next();
            return parse_pack(it.cloned().collect());
        }
        if first == Some("kiosk") {
            it.next();
            return crate::kiosk::parse_kiosk(it.cloned().collect());
        }
        if first == Some("report") {
            it.next();
            return crate::kiosk::parse_report(it.cloned().collect());
        }
        if first == Some("watchdog") {
            it.next();
            return crate::kiosk::parse_watchdog(it.cloned().collect());
        }
        if first == Some("usage-collect") {
            it.next();
            return crate::usage_collect::parse(it.cloned().collect());
        }
        if let Some(command @ ("keygen" | "sign" | "verify")) = first {
            it.next();
            return crate::integrity::parse(command, it.cloned().collect());
        }
        if first == Some("catalog") {
            it.next();
            return crate::catalog::parse_catalog(it.cloned().collect());
        }
        if first == Some("coords") {
            it.next();
            return crate::coords::parse_coords(it.cloned().collect());
        }
    }
    if is_validate {
        let mut paths = Vec::new();
        let (mut lang, mut exhibits) = (None, None);
        while let Some(arg) = it.next() {
            if arg == "--lang" {
                lang = Some(pack_lang(it.next())?);
            } else if arg == "--exhibits" {
                let folder = it
                    .next()
                    .ok_or("--exhibits needs the catalogue folder the lessons are taught with")?;
                exhibits = Some(PathBuf::from(folder));
            } else {
                paths.push(PathBuf::from(arg));
            }
        }
        if paths.is_empty() {
            return Err("`validate` needs at least one package folder".into());
        }
        return Ok(Command::Validate {
            paths,
            lang,
            exhibits,
        });
    }
    let mut view = ViewArgs {
        lang: "vi".into(),
        ..Default::default()
    };
    let (mut shot_view, mut out, mut no_ui, mut eye) = (None, None, false, 0);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--exhibit" => view.exhibit = Some(value("--exhibit")?),
            "--lang" => {
                let l = value("--lang")?.to_ascii_lowercase();
                if !disan_format::Lang::is_valid_code(&l) {
                    return Err(format!(
                        "--lang needs a language code such as vi or en, not \"{l}\""
                    ));
                }
                view.lang = l;
            }
            "--size" => view.size = Some(parse_size(&value("--size")?)?),
            "--reduce-motion" => view.reduce_motion = true,
            "--textures" => {
                let word = value("--textures")?;
                view.textures =
                    disan_engine::levels::TextureChoice::parse(&word).ok_or_else(|| {
                        format!("--textures must be auto, jpeg, bc7 or etc2, not \"{word}\"")
                    })?;
            }
            "--point-shading" => {
                let word = value("--point-shading")?;
                view.point_shading = disan_engine::eye_dome::PointShading::parse(&word)
                    .ok_or_else(|| {
                        format!("--point-shading must be edl or flat, not \"{word}\"")
                    })?;
            }
            "--lod" => {
                use disan_format::Keyword;
                let q = value("--lod")?;
                view.lod = Some(disan_format::LodQuality::parse(&q).ok_or_else(|| {
                    format!("--lod must be thumb, low, medium or high, not \"{q}\"")
                })?);
            }
            #[cfg(not(target_family = "wasm"))]
            "--trust" => {
                let file = PathBuf::from(value("--trust")?);
                view.trust.extend(
                    crate::integrity::load_trusted_keys(&[file])
                        .map_err(|e| format!("--trust {e}"))?,
                );
            }
            "--catalogue" | "--catalog" => view.catalogue = true,
            "--map" => {
                view.catalogue = true;
                view.map = true;
            }
            "--tiles" => {
                let t = value("--tiles")?;
                if !(t.contains("{z}") && t.contains("{x}") && t.contains("{y}")) {
                    return Err(format!(
                        "--tiles needs an XYZ template with {{z}}, {{x}} and {{y}}, such as tiles/{{z}}/{{x}}/{{y}}.png, not \"{t}\""
                    ));
                }
                view.tiles = Some(t);
            }
            "--lesson" => view.lesson = Some(PathBuf::from(value("--lesson")?)),
            "--step" => view.step = Some(value("--step")?),
            "--xr" => view.xr = true,
            "--xr-frames" => {
                let n = value("--xr-frames")?;
                view.xr_frames =
                    Some(n.parse().map_err(|_| {
                        format!("--xr-frames needs a number of frames, not \"{n}\"")
                    })?);
            }
            "--xr-space" => match value("--xr-space")?.as_str() {
                "seated" => view.xr_seated = true,
                "standing" => view.xr_seated = false,
                other => {
                    return Err(format!(
                        "--xr-space must be seated or standing, not \"{other}\""
                    ));
                }
            },
            "--xr-smooth" => view.xr_smooth = true,
            "--soak" => {
                let n = value("--soak")?;
                view.soak = Some(
                    n.parse()
                        .map_err(|_| format!("--soak needs a number of exhibits, not \"{n}\""))?,
                );
            }
            "--scan-sweep" => view.scan_sweep = Some(value("--scan-sweep")?),
            "--view" if is_shot => shot_view = Some(value("--view")?),
            "--out" if is_shot => out = Some(PathBuf::from(value("--out")?)),
            "--no-ui" if is_shot => no_ui = true,
            "--eye" if is_shot => {
                eye = match value("--eye")?.to_ascii_lowercase().as_str() {
                    "left" => 0,
                    "right" => 1,
                    other => return Err(format!("--eye must be left or right, not \"{other}\"")),
                }
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            s if view.path.is_none() => view.path = Some(PathBuf::from(s)),
            s => {
                return Err(format!(
                    "unexpected argument \"{s}\": give one package or catalogue folder"
                ));
            }
        }
    }
    if is_shot {
        let out = out.ok_or("`shot` needs --out FILE.png")?;
        if !out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("png"))
        {
            return Err(format!(
                "--out must name a .png file, not {}",
                out.display()
            ));
        }
        view.shot = Some(ShotRequest {
            view: shot_view.unwrap_or_else(|| "home".into()),
            out,
            hide_ui: no_ui,
            eye,
        });
    }
    Ok(Command::View(view))
}

/// `--lang` of the staff tools: Vietnamese or English.
fn pack_lang(value: Option<&String>) -> Result<String, String> {
    match value.map(|v| v.to_ascii_lowercase()) {
        Some(l) if l == "vi" || l == "en" => Ok(l),
        other => Err(format!(
            "--lang needs vi or en, not \"{}\"",
            other.unwrap_or_default()
        )),
    }
}

#[cfg(not(target_family = "wasm"))]
fn parse_pack(args: Vec<String>) -> Result<Command, String> {
    use disan_pack::{Lang, PackOptions, Unit, UpAxis};
    let mut it = args.into_iter();
    let (mut input, mut out, mut json, mut jobs) = (None, None, false, None);
    let mut options = PackOptions {
        lang: Lang::from_environment(),
        ..PackOptions::default()
    };
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--id" => {
                let id = value("--id")?;
                if disan_format::slug(&id) != id {
                    return Err(format!(
                        "--id must be lowercase letters, digits and -, like \"{}\"",
                        disan_format::slug(&id)
                    ));
                }
                options.id = Some(id);
            }
            "--unit" => {
                let u = value("--unit")?;
                options.unit =
                    Some(Unit::parse(&u).ok_or_else(|| {
                        format!("--unit must be m, cm, mm, in or ft, not \"{u}\"")
                    })?);
            }
            "--up" => {
                let u = value("--up")?;
                options.up = Some(
                    UpAxis::parse(&u).ok_or_else(|| format!("--up must be y or z, not \"{u}\""))?,
                );
            }
            "--lang" => {
                options.lang = Lang::parse(&pack_lang(Some(&value("--lang")?))?).expect("checked")
            }
            "--as" => {
                let k = value("--as")?;
                options.kind = Some(disan_pack::PackKind::parse(&k).ok_or_else(|| {
                    format!("--as must be mesh, document, panorama, pointcloud, video or audio, not \"{k}\"")
                })?);
            }
            "--width" => {
                let w = value("--width")?;
                options.sheet_width_m = Some(
                    w.parse::<f64>()
                        .ok()
                        .filter(|w| (0.01..=100.0).contains(w))
                        .ok_or_else(|| format!("--width is the document's width in metres (0.01 to 100), not \"{w}\""))?,
                );
            }
            "--dpi" => {
                let d = value("--dpi")?;
                options.dpi = Some(
                    d.parse::<f64>()
                        .ok()
                        .filter(|d| (10.0..=10_000.0).contains(d))
                        .ok_or_else(|| format!("--dpi is the scan's resolution in dots per inch (10 to 10000), not \"{d}\""))?,
                );
            }
            "--iiif-base" => options.iiif_base = Some(value("--iiif-base")?),
            "--force" => options.force = true,
            "--keep-position" => options.keep_position = true,
            "--plain" => options.geometry = disan_pack::Geometry::Plain,
            "--no-gpu-textures" => options.no_gpu_textures = true,
            "--json" => json = true,
            "--batch" => {}
            "--jobs" => {
                let n = value("--jobs")?;
                jobs = Some(n.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    format!("--jobs needs a number of scans at a time, not \"{n}\"")
                })?);
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s} for pack")),
            s if input.is_none() => input = Some(PathBuf::from(s)),
            s => {
                return Err(format!(
                    "unexpected argument \"{s}\": give one scan (or one folder of scans)"
                ));
            }
        }
    }
    let input = input.ok_or("`pack` needs a scan: disan pack SCAN --out PACKAGE")?;
    let out = out.ok_or("`pack` needs --out PACKAGE (the folder to write the package into)")?;
    // A folder is a batch of scans, one package each, except `--as panorama`: the scenes of one.
    let batch = input.is_dir() && options.kind != Some(disan_pack::PackKind::Panorama);
    if batch && options.id.is_some() {
        return Err(
            "--id names one package: a folder of scans gets one id per scan, from each file's name"
                .into(),
        );
    }
    Ok(Command::Pack(crate::pack::PackArgs {
        input,
        out,
        batch,
        json,
        jobs,
        options,
    }))
}

pub(crate) fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let err =
        || format!("--size must be WIDTHxHEIGHT between 64 and 8192, like 1280x720, not \"{s}\"");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(err)?;
    let w: u32 = w.parse().map_err(|_| err())?;
    let h: u32 = h.parse().map_err(|_| err())?;
    if !(64..=8192).contains(&w) || !(64..=8192).contains(&h) {
        return Err(err());
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn shot_arguments() {
        let Command::View(v) = parse(&args(
            "shot exhibits/x --view roof --size 640x360 --out a.png --lang en",
        ))
        .unwrap() else {
            panic!()
        };
        assert_eq!(v.size, Some((640, 360)));
        assert_eq!(v.lang, "en");
        let shot = v.shot.unwrap();
        assert_eq!(
            (shot.view.as_str(), shot.out.to_str().unwrap(), shot.hide_ui),
            ("roof", "a.png", false)
        );
    }

    #[test]
    fn bad_arguments_say_what_is_wrong() {
        assert!(
            parse(&args("shot x --view a"))
                .unwrap_err()
                .contains("--out")
        );
        assert!(
            parse(&args("shot x --out a.jpg"))
                .unwrap_err()
                .contains(".png")
        );
        assert!(
            parse(&args("--size 10x10"))
                .unwrap_err()
                .contains("WIDTHxHEIGHT")
        );
        assert!(
            parse(&args("--lang French"))
                .unwrap_err()
                .contains("language code")
        );
        assert!(
            parse(&args("--lang fr")).is_ok(),
            "any language an exhibit is written in"
        );
        assert!(parse(&args("validate")).is_err());
        assert!(
            parse(&args("validate --lang fr x"))
                .unwrap_err()
                .contains("vi or en")
        );
        assert!(parse(&args("pack scan.obj")).unwrap_err().contains("--out"));
        assert!(
            parse(&args("pack scan.obj --out p --unit furlong"))
                .unwrap_err()
                .contains("--unit")
        );
        assert!(
            parse(&args("pack scan.obj --out p --id Bad_Id"))
                .unwrap_err()
                .contains("bad-id")
        );
        assert!(
            parse(&args("x --view a"))
                .unwrap_err()
                .contains("unknown option")
        );
    }
}
