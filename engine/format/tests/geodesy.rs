//! Disan's geodesy against PROJ: every row of data/geodesy/reference.csv (computed by pyproj,
//! see make_reference.py there) converted by `disan_format::geodesy` and compared within 1 cm
//! in projected coordinates and 1e-7° in geographic ones, as the catalogue issue asks.

use disan_format::geodesy::{Coord, Crs, convert};

const PROJECTED_TOLERANCE_M: f64 = 0.01;
const GEOGRAPHIC_TOLERANCE_DEG: f64 = 1e-7;

struct Row {
    from: u32,
    to: u32,
    input: Coord,
    expected: Coord,
    place: String,
}

fn reference() -> Vec<Row> {
    let text = include_str!("data/geodesy/reference.csv");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.splitn(9, ',').collect();
            let n = |i: usize| {
                f[i].parse::<f64>()
                    .unwrap_or_else(|e| panic!("{line}: field {i}: {e}"))
            };
            Row {
                from: f[0].parse().unwrap(),
                to: f[1].parse().unwrap(),
                input: Coord::new(n(2), n(3), n(4)),
                expected: Coord::new(n(5), n(6), n(7)),
                place: f[8].to_string(),
            }
        })
        .collect()
}

#[test]
fn matches_proj_on_every_reference_point() {
    let rows = reference();
    let places: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.place.as_str()).collect();
    assert!(
        places.len() >= 30,
        "at least 30 reference points, got {}",
        places.len()
    );
    let (mut worst_m, mut worst_deg) = (0.0f64, 0.0f64);
    let mut failures = Vec::new();
    for r in &rows {
        let (from, to) = (
            Crs::from_epsg(r.from).unwrap(),
            Crs::from_epsg(r.to).unwrap(),
        );
        let got = convert(&from, &to, r.input)
            .unwrap_or_else(|e| panic!("{} {}→{}: {e}", r.place, r.from, r.to));
        let (da, db) = ((got.a - r.expected.a).abs(), (got.b - r.expected.b).abs());
        let (limit, worst) = if to.is_projected() {
            (PROJECTED_TOLERANCE_M, &mut worst_m)
        } else {
            (GEOGRAPHIC_TOLERANCE_DEG, &mut worst_deg)
        };
        *worst = worst.max(da).max(db);
        if da > limit || db > limit || (got.h - r.expected.h).abs() > 1e-6 {
            failures.push(format!(
                "{} EPSG:{}→{}: got {got:?}, PROJ {:?}",
                r.place, r.from, r.to, r.expected
            ));
        }
    }
    println!("worst difference from PROJ: {worst_m:.2e} m, {worst_deg:.2e}°");
    assert!(
        failures.is_empty(),
        "{} of {} conversions differ from PROJ:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn the_datum_shift_moves_hai_phong_by_the_known_amount() {
    // The shift between VN-2000 and WGS84 in Hải Phòng is about 200 m (the sign matters: a
    // swapped direction would double it). Independent of the table: a direction check.
    let vn = convert(
        &Crs::WGS84,
        &Crs::VN2000,
        Coord::new(20.8463, 106.6844, 0.0),
    )
    .unwrap();
    let north_m = (vn.a - 20.8463) * 110_700.0;
    let east_m = (vn.b - 106.6844) * 104_100.0;
    assert!(
        (north_m - 110.3).abs() < 1.0 && (east_m + 195.5).abs() < 1.0,
        "{north_m} m north, {east_m} m east"
    );
}
