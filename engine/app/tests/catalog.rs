//! The city's catalogue tools against the real binary: `disan catalog` on the bundled exhibits
//! read back by a JSON-LD processor, a VN-2000 survey point placed on the map, the museum's
//! signature (`keygen`, `sign`, `verify`) against tampered models and manifests, missing
//! signatures and untrusted keys, and `disan coords` as staff use it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use disan_format::catalog::CatalogIndex;

mod run;

use run::copy_dir;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn disan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_disan"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("disan runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A folder removed when the test ends (pass or fail).
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("disan-catalog-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn the_catalogue_is_open_data_a_json_ld_processor_reads() {
    let dir = scratch("open-data");
    let out = disan(&[
        "catalog",
        "exhibits",
        "--out",
        p(&dir.0),
        "--base",
        "https://portal.example.vn/di-san",
    ]);
    assert!(out.status.success(), "{}", text(&out));

    let index =
        CatalogIndex::from_json(&std::fs::read_to_string(dir.0.join("catalog.json")).unwrap())
            .unwrap();
    let ids: Vec<&str> = index.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "choi-trau-do-son",
            "dinh-hang-kenh",
            "mau-quet-bat-gom",
            "sac-phong",
            "trong-dong"
        ]
    );
    let house = index
        .entries
        .iter()
        .find(|e| e.id == "dinh-hang-kenh")
        .unwrap();
    assert_eq!(house.wgs84, Some([20.8463, 106.6844]));
    assert_eq!(
        (house.commune.as_deref(), house.former_district.as_deref()),
        (Some("Phường Lê Chân"), Some("Quận Lê Chân"))
    );
    assert_eq!(house.title["vi"], "Đình Hàng Kênh");
    assert!(
        house
            .lods
            .iter()
            .any(|l| l.quality == "thumb" && l.bytes > 0)
    );
    // The thumbnail and the package are found from the index's folder.
    assert!(
        dir.0.join(house.thumbnail.as_ref().unwrap()).is_file(),
        "{:?}",
        house.thumbnail
    );
    assert!(
        dir.0.join(&house.path).join("exhibit.toml").is_file(),
        "{}",
        house.path
    );

    let csv = std::fs::read_to_string(dir.0.join("catalog.csv")).unwrap();
    assert!(
        csv.starts_with('\u{feff}'),
        "a byte-order mark, so spreadsheets read Vietnamese right"
    );
    assert_eq!(csv.lines().count(), 6);
    assert!(csv.contains(
        "dinh-hang-kenh,Đình Hàng Kênh,Hàng Kênh Communal House,monument,national,Phường Lê Chân"
    ));

    // Every JSON-LD document through a JSON-LD 1.1 processor in safe mode (fails on anything
    // it would drop); the statements a harvester reads must be there.
    let web = root().join("web");
    assert!(
        web.join("node_modules/jsonld").is_dir(),
        "npm packages missing: run `cargo xtask test`, which installs them"
    );
    let mut files = vec![dir.0.join("catalog.jsonld")];
    files.extend(
        ids.iter()
            .map(|id| dir.0.join("records").join(format!("{id}.jsonld"))),
    );
    let rdf = Command::new("node")
        .current_dir(&web)
        .arg("tools/jsonld-check.mjs")
        .args(&files)
        .output()
        .expect("node runs");
    assert!(rdf.status.success(), "{}", text(&rdf));
    let nquads = String::from_utf8(rdf.stdout).unwrap();
    let record = "<https://portal.example.vn/di-san/records/dinh-hang-kenh.jsonld>";
    let collection = "<https://portal.example.vn/di-san/catalog.jsonld>";
    for statement in [
        format!("{record} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://schema.org/3DModel> ."),
        format!("{record} <https://schema.org/name> \"Đình Hàng Kênh\"@vi ."),
        format!("{record} <https://schema.org/license> <https://creativecommons.org/licenses/by/4.0/> ."),
        format!("{record} <https://schema.org/isPartOf> {collection} ."),
        format!("{collection} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://schema.org/Collection> ."),
        format!("{collection} <https://schema.org/hasPart> {record} ."),
        "<https://schema.org/LandmarksOrHistoricalBuildings>".into(),
        "<https://schema.org/latitude> \"2.08463E1\"^^<http://www.w3.org/2001/XMLSchema#double> .".into(),
        "<https://schema.org/longitude> \"1.066844E2\"^^<http://www.w3.org/2001/XMLSchema#double> .".into(),
        "<https://schema.org/contentUrl> <https://portal.example.vn/exhibits/dinh-hang-kenh/models/dinh-hang-kenh-thumb.glb> .".into(),
    ] {
        // The packages sit beside the output folder's parent here, hence ../ in the URLs.
        let statement = statement.replace("https://portal.example.vn/exhibits/", &format!("https://portal.example.vn/{}/", rel_exhibits(&dir.0)));
        assert!(nquads.contains(&statement), "missing from the RDF: {statement}\n{nquads}");
    }
}

/// Where the bundled exhibits are relative to the portal's root in the first test's layout.
fn rel_exhibits(out: &Path) -> String {
    let index: CatalogIndex =
        CatalogIndex::from_json(&std::fs::read_to_string(out.join("catalog.json")).unwrap())
            .unwrap();
    let path = &index
        .entries
        .iter()
        .find(|e| e.id == "dinh-hang-kenh")
        .unwrap()
        .path;
    let url = disan_format::catalog::resolve_url("https://portal.example.vn/di-san/", path);
    url.trim_start_matches("https://portal.example.vn/")
        .trim_end_matches("/dinh-hang-kenh")
        .to_owned()
}

#[test]
fn a_vn2000_survey_point_lands_on_the_map_in_wgs84() {
    let dir = scratch("vn2000");
    let pkg = dir.0.join("packages/dinh-hang-kenh");
    copy_dir(&root().join("exhibits/dinh-hang-kenh"), &pkg);
    let manifest = std::fs::read_to_string(pkg.join("exhibit.toml")).unwrap();
    // The point PROJ gives for 20.8463° N 106.6844° E in VN-2000 / TM-3 105°45′ (EPSG:9210).
    let surveyed = manifest.replace(
        "wgs84 = { lat = 20.8463, lon = 106.6844 }",
        "vn2000 = { x = 2306220.53383, y = 597046.45756, h = 5.0, central_meridian = 105.75, zone_width = 3 }",
    );
    assert_ne!(surveyed, manifest);
    std::fs::write(pkg.join("exhibit.toml"), surveyed).unwrap();
    let out = disan(&["catalog", p(&dir.0.join("packages"))]);
    assert!(out.status.success(), "{}", text(&out));
    let index = CatalogIndex::from_json(
        &std::fs::read_to_string(dir.0.join("packages/catalog.json")).unwrap(),
    )
    .unwrap();
    let [lat, lon] = index.entries[0].wgs84.unwrap();
    assert!(
        (lat - 20.8463).abs() < 1e-7 && (lon - 106.6844).abs() < 1e-7,
        "{lat}, {lon}"
    );
    assert_eq!(
        index.entries[0].path, "dinh-hang-kenh",
        "written into the folder, the index names packages by folder"
    );
}

#[test]
fn signatures_catch_tampering_missing_signatures_and_untrusted_keys() {
    let dir = scratch("signing");
    let pkg = dir.0.join("trong-dong");
    copy_dir(&root().join("exhibits/trong-dong"), &pkg);
    let key = dir.0.join("keys/museum.key");
    std::fs::create_dir_all(key.parent().unwrap()).unwrap();
    let public = dir.0.join("keys/museum.key.pub");

    // Keys: made outside packages only, never overwritten.
    let inside = disan(&["keygen", "--out", p(&pkg.join("museum.key"))]);
    assert!(
        !inside.status.success() && text(&inside).contains("inside the package"),
        "{}",
        text(&inside)
    );
    assert!(!pkg.join("museum.key").exists());
    let made = disan(&["keygen", "--out", p(&key)]);
    assert!(made.status.success(), "{}", text(&made));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let secret = std::fs::read(&key).unwrap();
    let again = disan(&["keygen", "--out", p(&key)]);
    assert!(!again.status.success() && text(&again).contains("never overwritten"));
    assert_eq!(std::fs::read(&key).unwrap(), secret);

    // Unsigned: refused where signatures are required (the default), accepted when allowed.
    let unsigned = disan(&["verify", p(&pkg)]);
    assert!(!unsigned.status.success(), "{}", text(&unsigned));

    let signed = disan(&["sign", p(&pkg), "--key", p(&key)]);
    assert!(signed.status.success(), "{}", text(&signed));
    let ok = disan(&["verify", p(&pkg), "--trust", p(&public)]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("trusted"), "{}", text(&ok));
    let secret_text = String::from_utf8(secret).unwrap();
    for file in walk(&pkg) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes)
                .contains(secret_text.split_whitespace().nth(1).unwrap()),
            "the secret key leaked into {}",
            file.display()
        );
    }

    // A tampered model is named.
    let model = pkg.join("models/trong-dong-thumb.glb");
    let original = std::fs::read(&model).unwrap();
    let mut tampered = original.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x20;
    std::fs::write(&model, &tampered).unwrap();
    let bad = disan(&["verify", p(&pkg), "--trust", p(&public)]);
    assert!(!bad.status.success(), "{}", text(&bad));
    assert!(
        text(&bad).contains("models/trong-dong-thumb.glb: its SHA-256 is not the one"),
        "{}",
        text(&bad)
    );
    std::fs::write(&model, &original).unwrap();

    // A tampered manifest (one letter of a title) is named.
    let manifest = pkg.join("exhibit.toml");
    let toml = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        toml.replacen("Trống đồng Đông Sơn", "Trống đồng Đông Sơm", 1),
    )
    .unwrap();
    let bad = disan(&["verify", p(&pkg), "--trust", p(&public)]);
    assert!(
        !bad.status.success() && text(&bad).contains("exhibit.toml: its SHA-256 is not the one"),
        "{}",
        text(&bad)
    );
    std::fs::write(&manifest, &toml).unwrap();

    // The list of hashes edited to match a tampered file: the signature no longer holds.
    let hashes = pkg.join("integrity.json");
    let list = std::fs::read_to_string(&hashes).unwrap();
    std::fs::write(&model, &tampered).unwrap();
    let forged = list.replace(
        &disan_format::integrity::sha256_hex(&original),
        &disan_format::integrity::sha256_hex(&tampered),
    );
    std::fs::write(&hashes, forged).unwrap();
    let bad = disan(&["verify", p(&pkg)]);
    assert!(
        !bad.status.success() && text(&bad).contains("signature does not match"),
        "{}",
        text(&bad)
    );
    std::fs::write(&model, &original).unwrap();
    std::fs::write(&hashes, &list).unwrap();

    // A missing signature where one is required.
    let sig = std::fs::read(pkg.join("integrity.sig")).unwrap();
    std::fs::remove_file(pkg.join("integrity.sig")).unwrap();
    let bad = disan(&["verify", p(&pkg), "--trust", p(&public)]);
    assert!(
        !bad.status.success() && text(&bad).contains("no integrity.sig"),
        "{}",
        text(&bad)
    );
    let allowed = disan(&["verify", p(&pkg), "--allow-unsigned"]);
    assert!(
        allowed.status.success(),
        "matching files, no signature asked for: {}",
        text(&allowed)
    );
    std::fs::write(pkg.join("integrity.sig"), &sig).unwrap();

    // Signed by someone else's key: refused when only the museum's key is trusted.
    let other = dir.0.join("keys/other.key");
    assert!(disan(&["keygen", "--out", p(&other)]).status.success());
    assert!(
        disan(&["sign", p(&pkg), "--key", p(&other)])
            .status
            .success()
    );
    let bad = disan(&["verify", p(&pkg), "--trust", p(&public)]);
    assert!(
        !bad.status.success() && text(&bad).contains("not among the trusted keys"),
        "{}",
        text(&bad)
    );
    let both = disan(&[
        "verify",
        p(&pkg),
        "--trust",
        p(&public),
        "--trust",
        p(&dir.0.join("keys/other.key.pub")),
    ]);
    assert!(both.status.success(), "{}", text(&both));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path))
        } else {
            files.push(path)
        }
    }
    files
}

#[test]
fn coords_converts_points_and_survey_files_as_cs2cs_does() {
    let out = disan(&[
        "coords", "--from", "4326", "--to", "9210", "20.8463", "106.6844", "5",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    // PROJ: 597046.45756 2306220.53383 (data/geodesy/reference.csv of the format crate).
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "597046.458\t2306220.534 5.000\n"
    );

    let dir = scratch("coords");
    let csv = dir.0.join("survey.csv");
    std::fs::write(
        &csv,
        "diem,E,N,H\nGPS-01,597046.458,2306220.534,5\nGPS-02;2306220.534;597046.458\nGPS-03,1\n",
    )
    .unwrap();
    let out = disan(&[
        "coords",
        "--from",
        "EPSG:9210",
        "--to",
        "EPSG:4326",
        "--csv",
        p(&csv),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let first: Vec<&str> = stdout.lines().next().unwrap().split(['\t', ' ']).collect();
    assert_eq!((first[0], first[3]), ("GPS-01", "5.000"), "{stdout}");
    let (lat, lon): (f64, f64) = (first[1].parse().unwrap(), first[2].parse().unwrap());
    // The input is rounded to the millimetre: 1e-7° (a centimetre) is the bar.
    assert!(
        (lat - 20.8463).abs() < 1e-7 && (lon - 106.6844).abs() < 1e-7,
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("survey.csv:3: warning") && stderr.contains("easting first"),
        "{stderr}"
    );
    assert!(stderr.contains("survey.csv:4:"), "{stderr}");
    assert!(
        !out.status.success(),
        "a line that cannot be converted fails the run"
    );

    let unknown = disan(&["coords", "--from", "2154", "--to", "4326", "1", "2"]);
    assert_eq!(unknown.status.code(), Some(64));
    assert!(text(&unknown).contains("9210"), "{}", text(&unknown));
}

/// The viewer itself (natively; the browser test does the same in Chromium): with a trusted key
/// it opens only packages that key signed, and never a file that differs from the signed list,
/// whatever the key; each refusal names the file. `--soak` walks the catalogue once and logs
/// each exhibit's outcome.
#[test]
fn the_viewer_opens_only_what_was_signed() {
    let dir = scratch("viewer");
    let cat = dir.0.join("cat");
    for e in [
        "trong-dong",
        "dinh-hang-kenh",
        "sac-phong",
        "mau-quet-bat-gom",
    ] {
        copy_dir(&root().join("exhibits").join(e), &cat.join(e));
    }
    let keys = dir.0.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    for k in ["museum", "other"] {
        assert!(
            disan(&["keygen", "--out", p(&keys.join(format!("{k}.key")))])
                .status
                .success()
        );
    }
    for (e, k) in [
        ("trong-dong", "museum"),
        ("dinh-hang-kenh", "museum"),
        ("sac-phong", "museum"),
        ("mau-quet-bat-gom", "other"),
    ] {
        let out = disan(&[
            "sign",
            p(&cat.join(e)),
            "--key",
            p(&keys.join(format!("{k}.key"))),
        ]);
        assert!(out.status.success(), "{}", text(&out));
    }
    // A manifest changed after signing (one letter of the title), a model damaged.
    let manifest = cat.join("dinh-hang-kenh/exhibit.toml");
    let toml = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        toml.replacen("Đình Hàng Kênh", "Đình Hàng Kềnh", 1),
    )
    .unwrap();
    let model = cat.join("sac-phong/models/sac-phong-thumb.glb");
    let mut bytes = std::fs::read(&model).unwrap();
    let at = bytes.len() - 5;
    bytes[at] ^= 0x11;
    std::fs::write(&model, bytes).unwrap();

    let outcomes = |extra: &[&str]| -> Vec<String> {
        let mut args = vec![p(&cat), "--soak", "4", "--size", "320x240"];
        args.extend_from_slice(extra);
        let out = disan(&args);
        assert!(out.status.success(), "{}", text(&out));
        let log = text(&out);
        let mut lines: Vec<String> = log
            .lines()
            .filter_map(|l| l.split_once("soak: ").map(|(_, rest)| rest.to_owned()))
            .filter(|l| !l.starts_with("pass") && !l.starts_with("done"))
            .collect();
        lines.sort_by_key(|l| {
            l.split_whitespace()
                .nth(1)
                .map(|id| id.rsplit('/').next().unwrap_or(id).to_owned())
        });
        lines
    };
    let trusted = outcomes(&["--trust", p(&keys.join("museum.key.pub"))]);
    assert_eq!(trusted.len(), 4, "{trusted:#?}");
    let line = |lines: &[String], id: &str| {
        lines
            .iter()
            .find(|l| l.contains(id))
            .cloned()
            .unwrap_or_default()
    };
    assert!(
        line(&trusted, "dinh-hang-kenh").contains("error: ")
            && line(&trusted, "dinh-hang-kenh")
                .contains("exhibit.toml: its SHA-256 is not the one"),
        "{trusted:#?}"
    );
    assert!(
        line(&trusted, "mau-quet-bat-gom").contains("not among the trusted keys"),
        "{trusted:#?}"
    );
    assert!(
        line(&trusted, "sac-phong")
            .contains("models/sac-phong-thumb.glb: its SHA-256 is not the one"),
        "{trusted:#?}"
    );
    assert!(
        line(&trusted, "trong-dong").ends_with("trong-dong shown"),
        "{trusted:#?}"
    );

    // Without a trusted key, signatures are not required, but signed lists are still checked.
    let open = outcomes(&[]);
    assert!(
        line(&open, "dinh-hang-kenh").contains("exhibit.toml: its SHA-256 is not the one"),
        "{open:#?}"
    );
    assert!(
        line(&open, "sac-phong").contains("models/sac-phong-thumb.glb: its SHA-256"),
        "{open:#?}"
    );
    assert!(
        line(&open, "mau-quet-bat-gom").ends_with("mau-quet-bat-gom shown"),
        "{open:#?}"
    );
    assert!(
        line(&open, "trong-dong").ends_with("trong-dong shown"),
        "{open:#?}"
    );
}

/// The catalogue screen over a city-sized index: the bundled exhibits' `disan catalog` index
/// grown to 2 000 entries (the rest name packages that are not there, so a viewer that opened
/// every manifest would say so 1 996 times), drawn as a gallery and as a map over tiles from a
/// folder beside the packages.
#[test]
fn the_catalogue_screen_opens_two_thousand_entries_from_the_index_alone() {
    let dir = scratch("screen");
    let folder = dir.0.join("exhibits");
    for id in [
        "dinh-hang-kenh",
        "trong-dong",
        "sac-phong",
        "mau-quet-bat-gom",
    ] {
        copy_dir(&root().join("exhibits").join(id), &folder.join(id));
    }
    let out = disan(&["catalog", p(&folder)]);
    assert!(out.status.success(), "{}", text(&out));
    let index_file = folder.join(disan_format::catalog::CATALOG_FILE);
    let mut index =
        CatalogIndex::from_json(&std::fs::read_to_string(&index_file).unwrap()).unwrap();
    let template = index.entries[0].clone();
    for i in index.entries.len()..2000 {
        let mut e = template.clone();
        e.id = format!("relic-{i:04}");
        e.path = e.id.clone();
        e.title = [
            ("vi", format!("Đình làng số {i}")),
            ("en", format!("Village hall {i}")),
        ]
        .into_iter()
        .map(|(l, t)| (l.to_owned(), t))
        .collect();
        e.wgs84 = Some([
            20.75 + (i % 40) as f64 * 0.004,
            106.55 + (i / 40) as f64 * 0.004,
        ]);
        e.poster = None;
        e.kind = "monument".to_owned();
        index.entries.push(e);
    }
    std::fs::write(&index_file, index.to_json()).unwrap();
    // Green tiles for every zoom the map may pick over these places.
    let points: Vec<[f64; 2]> = index.entries.iter().filter_map(|e| e.wgs84).collect();
    let mut tiles = 0;
    for zoom in 0..=17u8 {
        let frame = disan_format::catalog_view::MapFrame {
            zoom,
            ..disan_format::catalog_view::MapFrame::fit(&points, [2000.0, 2000.0], zoom).unwrap()
        };
        for t in frame.tiles() {
            let path = folder.join(format!("tiles/{}/{}/{}.png", t.z, t.x, t.y));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            image::RgbImage::from_pixel(256, 256, image::Rgb([40, 170, 60]))
                .save(&path)
                .unwrap();
            tiles += 1;
        }
    }
    assert!(tiles > 10);

    let gallery = dir.0.join("gallery.png");
    let out = disan(&[
        "shot",
        p(&folder),
        "--view",
        "catalogue",
        "--size",
        "1280x720",
        "--out",
        p(&gallery),
    ]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("catalogue: 2000 entries (from catalog.json)"),
        "{log}"
    );
    assert!(
        !log.contains("relic-0"),
        "no manifest of an entry that was not opened is read:\n{log}"
    );
    let map = dir.0.join("map.png");
    let out = disan(&[
        "shot",
        p(&folder),
        "--view",
        "catalogue-map",
        "--tiles",
        "tiles/{z}/{x}/{y}.png",
        "--size",
        "1280x720",
        "--out",
        p(&map),
    ]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(!log.contains("relic-0"), "{log}");
    // The tiles cover most of the map (the green of the generated tiles), and the markers are
    // drawn over them (the kinds' colours).
    let img = image::open(&map).unwrap().to_rgb8();
    let green =
        img.pixels().filter(|p| p.0 == [40, 170, 60]).count() as f64 / img.pixels().len() as f64;
    let red_markers = img
        .pixels()
        .filter(|p| p.0[0] > 150 && p.0[1] < 60 && p.0[2] < 60)
        .count();
    assert!(
        green > 0.35,
        "the tiles cover {:.0} % of the picture",
        green * 100.0
    );
    assert!(red_markers > 200, "{red_markers} marker pixels");
    // Keep the pictures for a person to look at.
    let keep = std::env::temp_dir().join("disan-catalogue-shots");
    std::fs::create_dir_all(&keep).unwrap();
    std::fs::copy(&gallery, keep.join("gallery.png")).unwrap();
    std::fs::copy(&map, keep.join("map.png")).unwrap();
}
