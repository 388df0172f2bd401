//! Coordinates of Vietnam: VN-2000 and WGS84, geographic and transverse Mercator.
//!
//! Heritage surveys in Vietnam are delivered in VN-2000, the national datum (Decision
//! 83/2000/QĐ-TTg), as projected coordinates in a 3° zone (TM-3, scale 0.9999, each province
//! its own central meridian: Hải Phòng 105°45′) or a 6° UTM zone (scale 0.9996); GNSS receivers,
//! web maps and the open-data portal use WGS84. This module converts between them, naming
//! systems by their EPSG codes as PROJ does, so a surveyor can check our numbers with `cs2cs`.
//!
//! Written here rather than taken from a crate: the Rust PROJ bindings need the C library and
//! its database (no wasm, a long build), and the pure-Rust `proj4rs` has no EPSG registry and
//! a series transverse Mercator less exact far from the meridian. What Vietnam needs is small:
//! one ellipsoid, one 7-parameter datum shift and Krüger's transverse Mercator, tested against
//! PROJ to better than a millimetre (tests/geodesy.rs, reference values by pyproj).
//!
//! - Datum shift: EPSG:6960 "VN-2000 to WGS 84 (2)", the parameters of Decision
//!   05/2007/QĐ-BTNMT, a Helmert transformation in the coordinate-frame convention, applied
//!   everywhere in Vietnam, the islands included (as PROJ's default does).
//! - Both datums use the WGS84 ellipsoid.
//! - Heights pass through unchanged, as cs2cs does with these 2D systems: VN-2000 surveys give
//!   heights above the Hòn Dấu mean sea level, which no 7-parameter shift turns into
//!   ellipsoidal heights.
//! - Transverse Mercator: Krüger's series to sixth order in n (Karney 2011, the algorithm PROJ
//!   uses for `tmerc`), accurate to a few nanometres within 4 000 km of the meridian.

use std::f64::consts::PI;
use std::fmt;

/// The WGS84 ellipsoid, shared by VN-2000.
const A: f64 = 6_378_137.0;
const F: f64 = 1.0 / 298.257_223_563;

/// EPSG:6960 (Decision 05/2007/QĐ-BTNMT): translations in metres, rotations in arc seconds
/// (coordinate-frame convention), scale in parts per million. From VN-2000 to WGS84.
const TO_WGS84: Helmert = Helmert {
    tx: -191.904_414_29,
    ty: -39.303_182_79,
    tz: -111.450_328_35,
    rx: -0.009_288_36,
    ry: 0.019_754_79,
    rz: -0.004_273_72,
    ppm: 0.252_906_278,
};

/// A geodetic datum Disan knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Datum {
    Wgs84,
    Vn2000,
}

/// A coordinate reference system: geographic (latitude, longitude in degrees) or transverse
/// Mercator (easting, northing in metres), over a datum.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Crs {
    Geographic(Datum),
    TransverseMercator(TransverseMercator),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TransverseMercator {
    pub datum: Datum,
    /// Degrees east.
    pub central_meridian: f64,
    pub scale: f64,
    pub false_easting: f64,
    pub false_northing: f64,
}

impl TransverseMercator {
    /// A VN-2000 zone as surveyors give it: 3° zones (TM-3) have scale 0.9999, 6° zones (UTM)
    /// 0.9996, both with a false easting of 500 km.
    pub fn vn2000(central_meridian: f64, zone_width: u8) -> Self {
        TransverseMercator {
            datum: Datum::Vn2000,
            central_meridian,
            scale: if zone_width == 3 { 0.9999 } else { 0.9996 },
            false_easting: 500_000.0,
            false_northing: 0.0,
        }
    }

    fn utm(datum: Datum, zone: u8) -> Self {
        TransverseMercator {
            datum,
            central_meridian: f64::from(zone) * 6.0 - 183.0,
            scale: 0.9996,
            false_easting: 500_000.0,
            false_northing: 0.0,
        }
    }
}

/// The VN-2000 TM-3 zones by EPSG code and central meridian: the provinces' meridians of
/// Circular 973/2001/TT-TCĐC (as EPSG registers them: "VN-2000 / TM-3 105-45" is 9210).
pub const VN2000_TM3_ZONES: [(u32, f64); 18] = [
    (5896, 102.0),
    (9205, 103.0),
    (9206, 104.0),
    (9207, 104.5),
    (9208, 104.75),
    (5897, 105.0),
    (9209, 105.5),
    (9210, 105.75),
    (9211, 106.0),
    (9212, 106.25),
    (9213, 106.5),
    (9214, 107.0),
    (9215, 107.25),
    (9216, 107.5),
    (5899, 107.75),
    (5898, 108.0),
    (9217, 108.25),
    (9218, 108.5),
];

/// Every EPSG code `Crs::from_epsg` knows, for help texts.
pub fn known_epsg_codes() -> Vec<u32> {
    let mut codes = vec![4326, 4756, 3405, 3406, 32648, 32649];
    codes.extend(VN2000_TM3_ZONES.iter().map(|(code, _)| *code));
    codes
}

impl Crs {
    pub const WGS84: Crs = Crs::Geographic(Datum::Wgs84);
    pub const VN2000: Crs = Crs::Geographic(Datum::Vn2000);

    /// The system with this EPSG code, if Disan knows it.
    pub fn from_epsg(code: u32) -> Option<Crs> {
        Some(match code {
            4326 => Crs::WGS84,
            4756 => Crs::VN2000,
            3405 => Crs::TransverseMercator(TransverseMercator::utm(Datum::Vn2000, 48)),
            3406 => Crs::TransverseMercator(TransverseMercator::utm(Datum::Vn2000, 49)),
            32648 => Crs::TransverseMercator(TransverseMercator::utm(Datum::Wgs84, 48)),
            32649 => Crs::TransverseMercator(TransverseMercator::utm(Datum::Wgs84, 49)),
            _ => {
                let (_, meridian) = VN2000_TM3_ZONES.iter().find(|(c, _)| *c == code)?;
                Crs::TransverseMercator(TransverseMercator::vn2000(*meridian, 3))
            }
        })
    }

    /// Its EPSG code, when it has one.
    pub fn epsg(&self) -> Option<u32> {
        known_epsg_codes()
            .into_iter()
            .find(|code| Crs::from_epsg(*code).as_ref() == Some(self))
    }

    pub fn is_projected(&self) -> bool {
        matches!(self, Crs::TransverseMercator(_))
    }

    pub fn datum(&self) -> Datum {
        match self {
            Crs::Geographic(d) => *d,
            Crs::TransverseMercator(tm) => tm.datum,
        }
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let datum = |d: Datum| {
            if d == Datum::Wgs84 {
                "WGS 84"
            } else {
                "VN-2000"
            }
        };
        match self {
            Crs::Geographic(d) => write!(f, "{} (lat, lon)", datum(*d))?,
            Crs::TransverseMercator(tm) => {
                let deg = tm.central_meridian.trunc();
                let min = ((tm.central_meridian - deg) * 60.0).round();
                write!(
                    f,
                    "{} / TM {deg}°{min:02}′ k={} (E, N)",
                    datum(tm.datum),
                    tm.scale
                )?
            }
        }
        if let Some(code) = self.epsg() {
            write!(f, ", EPSG:{code}")?;
        }
        Ok(())
    }
}

/// A point in some system: `a, b` are latitude and longitude in degrees for geographic
/// systems, easting and northing in metres for projected ones (cs2cs's order); `h` in metres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coord {
    pub a: f64,
    pub b: f64,
    pub h: f64,
}

impl Coord {
    pub fn new(a: f64, b: f64, h: f64) -> Self {
        Coord { a, b, h }
    }
}

/// Why a point cannot be converted.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum GeodesyError {
    #[error("the coordinates are not finite numbers")]
    NotFinite,
    #[error(
        "latitude {0}° is outside −90°…90° (were latitude and longitude swapped, or easting and northing given to a geographic system?)"
    )]
    LatitudeOutOfRange(f64),
    #[error(
        "the point lies more than 60° from the zone's central meridian, where a transverse Mercator projection means nothing"
    )]
    TooFarFromMeridian,
}

/// Converts a point from one system to another.
pub fn convert(from: &Crs, to: &Crs, p: Coord) -> Result<Coord, GeodesyError> {
    if !(p.a.is_finite() && p.b.is_finite() && p.h.is_finite()) {
        return Err(GeodesyError::NotFinite);
    }
    // To geographic on the source datum.
    let (lat, lon) = match from {
        Crs::Geographic(_) => (p.a, p.b),
        Crs::TransverseMercator(tm) => tm_inverse(tm, p.a, p.b),
    };
    if !(-90.0..=90.0).contains(&lat) {
        return Err(GeodesyError::LatitudeOutOfRange(lat));
    }
    // Datum shift through Earth-centred coordinates, the height kept (see the module comment).
    let (lat, lon) = match (from.datum(), to.datum()) {
        (a, b) if a == b => (lat, lon),
        (Datum::Vn2000, Datum::Wgs84) => shift(lat, lon, p.h, false),
        (Datum::Wgs84, Datum::Vn2000) => shift(lat, lon, p.h, true),
        _ => unreachable!("two datums"),
    };
    match to {
        Crs::Geographic(_) => Ok(Coord::new(lat, normalise_lon(lon), p.h)),
        Crs::TransverseMercator(tm) => {
            let (e, n) = tm_forward(tm, lat, lon)?;
            Ok(Coord::new(e, n, p.h))
        }
    }
}

/// A `[location]` position as WGS84 latitude and longitude (degrees) and height.
pub fn vn2000_projected_to_wgs84(
    northing: f64,
    easting: f64,
    h: f64,
    central_meridian: f64,
    zone_width: u8,
) -> Result<Coord, GeodesyError> {
    let zone = Crs::TransverseMercator(TransverseMercator::vn2000(central_meridian, zone_width));
    convert(&zone, &Crs::WGS84, Coord::new(easting, northing, h))
}

fn normalise_lon(lon: f64) -> f64 {
    if lon > 180.0 {
        lon - 360.0
    } else if lon <= -180.0 {
        lon + 360.0
    } else {
        lon
    }
}

// ---- Datum shift ---------------------------------------------------------------------------

struct Helmert {
    tx: f64,
    ty: f64,
    tz: f64,
    rx: f64,
    ry: f64,
    rz: f64,
    ppm: f64,
}

const ARC_SECOND: f64 = PI / (180.0 * 3600.0);

fn shift(lat: f64, lon: f64, h: f64, inverse: bool) -> (f64, f64) {
    let x = to_ecef(lat, lon, h);
    let t = &TO_WGS84;
    let (rx, ry, rz) = (t.rx * ARC_SECOND, t.ry * ARC_SECOND, t.rz * ARC_SECOND);
    let s = 1.0 + t.ppm * 1e-6;
    // Coordinate-frame rotation (small angles), as PROJ's helmert with convention=coordinate_frame.
    let r = [[1.0, rz, -ry], [-rz, 1.0, rx], [ry, -rx, 1.0]];
    let y = if !inverse {
        let rx = mul(&r, x);
        [t.tx + s * rx[0], t.ty + s * rx[1], t.tz + s * rx[2]]
    } else {
        // The rotation is orthogonal to first order: its inverse is its transpose.
        let d = [(x[0] - t.tx) / s, (x[1] - t.ty) / s, (x[2] - t.tz) / s];
        let rt = [
            [r[0][0], r[1][0], r[2][0]],
            [r[0][1], r[1][1], r[2][1]],
            [r[0][2], r[1][2], r[2][2]],
        ];
        mul(&rt, d)
    };
    from_ecef(y)
}

fn mul(m: &[[f64; 3]; 3], v: [f64; 3]) -> [f64; 3] {
    [
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    ]
}

fn e2() -> f64 {
    F * (2.0 - F)
}

fn to_ecef(lat: f64, lon: f64, h: f64) -> [f64; 3] {
    let (phi, lam) = (lat.to_radians(), lon.to_radians());
    let n = A / (1.0 - e2() * phi.sin().powi(2)).sqrt();
    [
        (n + h) * phi.cos() * lam.cos(),
        (n + h) * phi.cos() * lam.sin(),
        (n * (1.0 - e2()) + h) * phi.sin(),
    ]
}

/// Latitude and longitude in degrees of an Earth-centred point (the height is not needed).
fn from_ecef(x: [f64; 3]) -> (f64, f64) {
    let p = x[0].hypot(x[1]);
    let lon = x[1].atan2(x[0]);
    let mut phi = x[2].atan2(p * (1.0 - e2()));
    // Fixed-point iteration; converges to 1e-15 rad in a few steps for points near the surface.
    for _ in 0..10 {
        let n = A / (1.0 - e2() * phi.sin().powi(2)).sqrt();
        let h = p / phi.cos() - n;
        let next = x[2].atan2(p * (1.0 - e2() * n / (n + h)));
        let done = (next - phi).abs() < 1e-15;
        phi = next;
        if done {
            break;
        }
    }
    (phi.to_degrees(), lon.to_degrees())
}

// ---- Transverse Mercator (Krüger, Karney 2011) ----------------------------------------------

struct Series {
    /// The rectifying radius over (1 + n): A in Karney's paper.
    radius: f64,
    alpha: [f64; 6],
    beta: [f64; 6],
    e: f64,
}

fn series() -> Series {
    let n = F / (2.0 - F);
    let (n2, n3) = (n * n, n * n * n);
    let (n4, n5, n6) = (n3 * n, n3 * n2, n3 * n3);
    Series {
        radius: A / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0 + n6 / 256.0),
        alpha: [
            n / 2.0 - 2.0 / 3.0 * n2 + 5.0 / 16.0 * n3 + 41.0 / 180.0 * n4 - 127.0 / 288.0 * n5
                + 7891.0 / 37800.0 * n6,
            13.0 / 48.0 * n2 - 3.0 / 5.0 * n3 + 557.0 / 1440.0 * n4 + 281.0 / 630.0 * n5
                - 1983433.0 / 1935360.0 * n6,
            61.0 / 240.0 * n3 - 103.0 / 140.0 * n4
                + 15061.0 / 26880.0 * n5
                + 167603.0 / 181440.0 * n6,
            49561.0 / 161280.0 * n4 - 179.0 / 168.0 * n5 + 6601661.0 / 7257600.0 * n6,
            34729.0 / 80640.0 * n5 - 3418889.0 / 1995840.0 * n6,
            212378941.0 / 319334400.0 * n6,
        ],
        beta: [
            n / 2.0 - 2.0 / 3.0 * n2 + 37.0 / 96.0 * n3 - 1.0 / 360.0 * n4 - 81.0 / 512.0 * n5
                + 96199.0 / 604800.0 * n6,
            1.0 / 48.0 * n2 + 1.0 / 15.0 * n3 - 437.0 / 1440.0 * n4 + 46.0 / 105.0 * n5
                - 1118711.0 / 3870720.0 * n6,
            17.0 / 480.0 * n3 - 37.0 / 840.0 * n4 - 209.0 / 4480.0 * n5 + 5569.0 / 90720.0 * n6,
            4397.0 / 161280.0 * n4 - 11.0 / 504.0 * n5 - 830251.0 / 7257600.0 * n6,
            4583.0 / 161280.0 * n5 - 108847.0 / 3991680.0 * n6,
            20648693.0 / 638668800.0 * n6,
        ],
        e: e2().sqrt(),
    }
}

/// tan of the conformal latitude from tan of the geodetic latitude.
fn conformal_tan(tau: f64, e: f64) -> f64 {
    let sigma = (e * (e * tau / tau.hypot(1.0)).atanh()).sinh();
    tau * sigma.hypot(1.0) - sigma * tau.hypot(1.0)
}

fn tm_forward(tm: &TransverseMercator, lat: f64, lon: f64) -> Result<(f64, f64), GeodesyError> {
    let mut dlon = normalise_lon(lon - tm.central_meridian);
    if dlon.abs() > 60.0 {
        return Err(GeodesyError::TooFarFromMeridian);
    }
    dlon = dlon.to_radians();
    let s = series();
    let tau_prime = conformal_tan(lat.to_radians().tan(), s.e);
    let xi_prime = tau_prime.atan2(dlon.cos());
    let eta_prime = (dlon.sin() / tau_prime.hypot(dlon.cos())).asinh();
    let (mut xi, mut eta) = (xi_prime, eta_prime);
    for (j, alpha) in s.alpha.iter().enumerate() {
        let k = 2.0 * (j + 1) as f64;
        xi += alpha * (k * xi_prime).sin() * (k * eta_prime).cosh();
        eta += alpha * (k * xi_prime).cos() * (k * eta_prime).sinh();
    }
    let scale = tm.scale * s.radius;
    Ok((
        tm.false_easting + scale * eta,
        tm.false_northing + scale * xi,
    ))
}

fn tm_inverse(tm: &TransverseMercator, easting: f64, northing: f64) -> (f64, f64) {
    let s = series();
    let scale = tm.scale * s.radius;
    let (xi, eta) = (
        (northing - tm.false_northing) / scale,
        (easting - tm.false_easting) / scale,
    );
    let (mut xi_prime, mut eta_prime) = (xi, eta);
    for (j, beta) in s.beta.iter().enumerate() {
        let k = 2.0 * (j + 1) as f64;
        xi_prime -= beta * (k * xi).sin() * (k * eta).cosh();
        eta_prime -= beta * (k * xi).cos() * (k * eta).sinh();
    }
    let tau_prime = xi_prime.sin() / eta_prime.sinh().hypot(xi_prime.cos());
    let dlon = eta_prime.sinh().atan2(xi_prime.cos());
    // Newton's method for the geodetic latitude whose conformal latitude is tau_prime (Karney).
    let one_e2 = 1.0 - e2();
    let mut tau = tau_prime;
    for _ in 0..8 {
        let tau_i = conformal_tan(tau, s.e);
        let step = (tau_prime - tau_i) / tau_i.hypot(1.0) * (1.0 + one_e2 * tau * tau)
            / (one_e2 * tau.hypot(1.0));
        tau += step;
        if step.abs() < 1e-15 * tau.abs().max(1.0) {
            break;
        }
    }
    (
        tau.atan().to_degrees(),
        tm.central_meridian + dlon.to_degrees(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_maps_back_to_itself() {
        for code in known_epsg_codes() {
            assert_eq!(Crs::from_epsg(code).and_then(|c| c.epsg()), Some(code));
        }
        assert_eq!(Crs::from_epsg(2000), None);
    }

    #[test]
    fn projection_round_trips_to_a_micrometre() {
        let zone = Crs::from_epsg(9210).unwrap();
        for (lat, lon) in [(20.85, 106.68), (8.6, 104.7), (23.4, 102.1), (16.5, 111.6)] {
            let p = convert(&Crs::VN2000, &zone, Coord::new(lat, lon, 0.0)).unwrap();
            let back = convert(&zone, &Crs::VN2000, p).unwrap();
            assert!(
                (back.a - lat).abs() < 1e-11 && (back.b - lon).abs() < 1e-11,
                "{lat},{lon} → {back:?}"
            );
        }
    }

    #[test]
    fn swapped_or_absurd_input_is_an_error_not_a_number() {
        let zone = Crs::from_epsg(9210).unwrap();
        assert_eq!(
            convert(&Crs::WGS84, &zone, Coord::new(20.0, -80.0, 0.0)),
            Err(GeodesyError::TooFarFromMeridian)
        );
        assert!(matches!(
            convert(&Crs::WGS84, &Crs::VN2000, Coord::new(106.7, 20.8, 0.0)),
            Err(GeodesyError::LatitudeOutOfRange(_))
        ));
        assert_eq!(
            convert(&Crs::WGS84, &zone, Coord::new(f64::NAN, 1.0, 0.0)),
            Err(GeodesyError::NotFinite)
        );
    }
}
