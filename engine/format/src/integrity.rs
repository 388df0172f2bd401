//! Proving a package is the one the museum published: the SHA-256 of every file it uses
//! (`integrity.json`) and an ed25519 signature over that list (`integrity.sig`).
//!
//! docs/integrity.md is the staff's guide. The pieces:
//! - [`Manifest`](crate::Manifest) names the files a viewer reads; [`package_files`] adds the
//!   manifest itself and the files a `.gltf` model points to, so nothing a viewer reads escapes.
//! - `integrity.json` maps each of those paths to its SHA-256, in sorted order.
//! - `integrity.sig` holds the signer's public key (as an identifier only: trust comes from the
//!   verifier's own list) and the signature of the exact bytes of `integrity.json`.
//! - Private keys are never written inside a package (`disan keygen` refuses to).
//!
//! Bevy-free and wasm-ready: the browser viewer checks files with the same code.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::manifest::Manifest;

pub const INTEGRITY_FILE: &str = "integrity.json";
pub const SIGNATURE_FILE: &str = "integrity.sig";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// `integrity.json`: the files of a package and their SHA-256, lower-case hex.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileHashes {
    pub format: u32,
    pub sha256: BTreeMap<String, String>,
}

/// `integrity.sig`: who signed (`public_key`, base64) and the signature (base64).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureFile {
    pub algorithm: String,
    pub public_key: String,
    pub signature: String,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum IntegrityError {
    #[error(
        "{file}: its SHA-256 is not the one the package lists in integrity.json: the file was changed or damaged after signing; replace it with the published copy"
    )]
    Mismatch { file: String },
    #[error("{file}: listed in integrity.json but missing from the package")]
    Missing { file: String },
    #[error(
        "{file}: the exhibit uses it but integrity.json does not list it: sign the package again"
    )]
    Unlisted { file: String },
    #[error("{file}: cannot be read to check it against integrity.json ({reason})")]
    Unreadable { file: String, reason: String },
    #[error("integrity.json: {0}")]
    BadHashes(String),
    #[error("integrity.sig: {0}")]
    BadSignatureFile(String),
    #[error(
        "the package has no integrity.sig, and signatures are required here: sign it with `disan sign`"
    )]
    Unsigned,
    #[error(
        "integrity.sig: the signature does not match integrity.json: the list of files was changed after signing"
    )]
    SignatureInvalid,
    #[error("integrity.sig: signed by key {fingerprint}, which is not among the trusted keys")]
    Untrusted { fingerprint: String },
}

/// A file's SHA-256 as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `digest` is the listed `expected` hash of `file`.
fn matches(file: &str, expected: &str, digest: &[u8]) -> Result<(), IntegrityError> {
    if expected == hex(digest) {
        Ok(())
    } else {
        Err(IntegrityError::Mismatch {
            file: file.to_owned(),
        })
    }
}

/// Every file a viewer reads from the package: the manifest, the files it names, the buffers
/// and images of `.gltf` models (read from `read`; a model that cannot be read adds nothing
/// here, the validator reports it), and the gallery's poster when the package has one.
pub fn package_files(manifest: &Manifest, read: impl Fn(&str) -> Option<Vec<u8>>) -> Vec<String> {
    let mut files: Vec<String> = vec![crate::MANIFEST_FILE.to_owned()];
    for f in manifest.referenced_files() {
        files.push(f.as_str().to_owned());
        // A scan's tiles, as its info.json lays them out: a signed package signs every one.
        if manifest.scans.iter().any(|s| &s.src == f)
            && let Some(pyramid) =
                read(f.as_str()).and_then(|b| crate::iiif::TilePyramid::from_info_json(&b).ok())
        {
            let dir = f.as_str().rsplit_once('/').map_or("", |(d, _)| d);
            for tile in pyramid.tiles() {
                let name = pyramid.tile_path(tile);
                files.push(if dir.is_empty() {
                    name
                } else {
                    format!("{dir}/{name}")
                });
            }
        }
        // Likewise a panorama's tiles, as its config.json lays them out.
        if manifest.panoramas.iter().any(|p| &p.src == f)
            && let Some(tiles) = read(f.as_str())
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|t| crate::panorama::CubeTiles::from_config_json(&t).ok())
        {
            let dir = f.as_str().rsplit_once('/').map_or("", |(d, _)| d);
            for tile in tiles.all_tiles() {
                let name = crate::panorama::CubeTiles::tile_path(tile);
                files.push(if dir.is_empty() {
                    name
                } else {
                    format!("{dir}/{name}")
                });
            }
        }
        // A video's renditions, poster and thumbnails, as its video.json lists them.
        if manifest.videos.iter().any(|v| &v.src == f)
            && let Some(set) =
                read(f.as_str()).and_then(|b| crate::video::VideoSet::from_json(&b).ok())
        {
            let dir = f.as_str().rsplit_once('/').map_or("", |(d, _)| d);
            for name in set.files() {
                files.push(if dir.is_empty() {
                    name.to_owned()
                } else {
                    format!("{dir}/{name}")
                });
            }
        }
        // A cloud's hierarchy and octree, beside its metadata.json.
        if let Some(cloud) = manifest.pointclouds.iter().find(|c| &c.src == f) {
            files.extend(cloud.files().into_iter().skip(1));
        }
        if f.as_str().to_ascii_lowercase().ends_with(".gltf") {
            let dir = f.as_str().rsplit_once('/').map_or("", |(d, _)| d);
            let Some(json) =
                read(f.as_str()).and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            else {
                continue;
            };
            for key in ["buffers", "images"] {
                for item in json[key].as_array().into_iter().flatten() {
                    if let Some(uri) = item["uri"].as_str().filter(|u| !u.starts_with("data:")) {
                        let joined = if dir.is_empty() {
                            uri.to_owned()
                        } else {
                            format!("{dir}/{uri}")
                        };
                        files.push(joined);
                    }
                }
            }
        }
    }
    // The poster the catalogue's gallery shows (`catalog::CatalogEntry::poster`), when there is
    // one: a viewer that requires signatures reads it too.
    for poster in ["poster.png", "poster.jpg"] {
        if read(poster).is_some() {
            files.push(poster.to_owned());
        }
    }
    files.sort();
    files.dedup();
    files
}

impl FileHashes {
    /// Hashes each of `files` as `read` returns it.
    pub fn compute(
        files: &[String],
        read: impl Fn(&str) -> Option<Vec<u8>>,
    ) -> Result<Self, IntegrityError> {
        let mut sha256 = BTreeMap::new();
        for f in files {
            let bytes = read(f).ok_or_else(|| IntegrityError::Missing { file: f.clone() })?;
            sha256.insert(f.clone(), sha256_hex(&bytes));
        }
        Ok(FileHashes { format: 1, sha256 })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("plain data") + "\n"
    }

    pub fn from_json(bytes: &[u8]) -> Result<Self, IntegrityError> {
        let hashes: FileHashes = serde_json::from_slice(bytes).map_err(|e| {
            IntegrityError::BadHashes(format!("line {}, column {}: {e}", e.line(), e.column()))
        })?;
        if hashes.format != 1 {
            return Err(IntegrityError::BadHashes(format!(
                "\"format\": {} is not a version this Disan reads (1)",
                hashes.format
            )));
        }
        if let Some((file, _)) = hashes
            .sha256
            .iter()
            .find(|(_, h)| h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(IntegrityError::BadHashes(format!(
                "\"{file}\": not a SHA-256 (64 hexadecimal digits)"
            )));
        }
        Ok(hashes)
    }

    /// Checks one file's bytes against the list: the viewer calls this for each file it reads.
    pub fn check(&self, file: &str, bytes: &[u8]) -> Result<(), IntegrityError> {
        let expected = self.expected(file)?;
        matches(file, expected, &Sha256::digest(bytes))
    }

    /// Checks a file as `reader` gives it, a piece at a time, never holding it whole: for the
    /// files a viewer does not read itself (a video rendition of hundreds of megabytes that
    /// FFmpeg reads by its path), checked on a worker thread before they are used.
    pub fn check_stream(
        &self,
        file: &str,
        mut reader: impl std::io::Read,
    ) -> Result<(), IntegrityError> {
        let expected = self.expected(file)?;
        let mut hasher = Sha256::new();
        let mut piece = vec![0u8; 1 << 16];
        loop {
            match reader.read(&mut piece) {
                Ok(0) => break,
                Ok(n) => hasher.update(&piece[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(IntegrityError::Unreadable {
                        file: file.to_owned(),
                        reason: e.to_string(),
                    });
                }
            }
        }
        matches(file, expected, &hasher.finalize())
    }

    fn expected(&self, file: &str) -> Result<&str, IntegrityError> {
        self.sha256
            .get(file)
            .map(String::as_str)
            .ok_or_else(|| IntegrityError::Unlisted {
                file: file.to_owned(),
            })
    }
}

/// A public key's short name for people: the first 8 bytes of its SHA-256, in hex, in pairs.
pub fn fingerprint(key: &VerifyingKey) -> String {
    let hex = sha256_hex(key.as_bytes());
    hex[..16]
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).expect("hex"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The text of a public key file (`KEY.pub`): one line, the key in base64 after a label.
pub fn public_key_text(key: &VerifyingKey) -> String {
    format!("disan-ed25519-public-key {}\n", B64.encode(key.as_bytes()))
}

/// The text of a secret key file: the 32-byte seed in base64 after a label.
pub fn secret_key_text(key: &SigningKey) -> String {
    format!("disan-ed25519-secret-key {}\n", B64.encode(key.to_bytes()))
}

fn key_bytes(text: &str, label: &str) -> Result<[u8; 32], String> {
    let rest = text.trim().strip_prefix(label).ok_or_else(|| {
        format!("does not start with \"{label}\": is it the right kind of key file?")
    })?;
    let bytes = B64
        .decode(rest.trim())
        .map_err(|e| format!("the key is not valid base64: {e}"))?;
    bytes
        .try_into()
        .map_err(|_| "the key is not 32 bytes long".to_owned())
}

pub fn parse_public_key(text: &str) -> Result<VerifyingKey, String> {
    VerifyingKey::from_bytes(&key_bytes(text, "disan-ed25519-public-key")?)
        .map_err(|e| format!("not an ed25519 public key: {e}"))
}

pub fn parse_secret_key(text: &str) -> Result<SigningKey, String> {
    Ok(SigningKey::from_bytes(&key_bytes(
        text,
        "disan-ed25519-secret-key",
    )?))
}

/// Signs the exact bytes of `integrity.json`.
pub fn sign(hashes_json: &[u8], key: &SigningKey) -> SignatureFile {
    SignatureFile {
        algorithm: "ed25519".into(),
        public_key: B64.encode(key.verifying_key().as_bytes()),
        signature: B64.encode(key.sign(hashes_json).to_bytes()),
    }
}

/// Checks the signature over `hashes_json` and, when `trusted` is not empty, that the signer is
/// one of them. Returns the signer's key.
pub fn verify_signature(
    hashes_json: &[u8],
    sig_json: &[u8],
    trusted: &[VerifyingKey],
) -> Result<VerifyingKey, IntegrityError> {
    let sig: SignatureFile = serde_json::from_slice(sig_json)
        .map_err(|e| IntegrityError::BadSignatureFile(e.to_string()))?;
    if sig.algorithm != "ed25519" {
        return Err(IntegrityError::BadSignatureFile(format!(
            "\"algorithm\": \"{}\" is not ed25519",
            sig.algorithm
        )));
    }
    let key_bytes: [u8; 32] = B64
        .decode(&sig.public_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            IntegrityError::BadSignatureFile("\"public_key\" is not a 32-byte key in base64".into())
        })?;
    let key = VerifyingKey::from_bytes(&key_bytes)
        .map_err(|e| IntegrityError::BadSignatureFile(format!("\"public_key\": {e}")))?;
    let sig_bytes: [u8; 64] = B64
        .decode(&sig.signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            IntegrityError::BadSignatureFile(
                "\"signature\" is not a 64-byte signature in base64".into(),
            )
        })?;
    key.verify_strict(hashes_json, &Signature::from_bytes(&sig_bytes))
        .map_err(|_| IntegrityError::SignatureInvalid)?;
    if !trusted.is_empty() && !trusted.contains(&key) {
        return Err(IntegrityError::Untrusted {
            fingerprint: fingerprint(&key),
        });
    }
    Ok(key)
}

/// The list of hashes a viewer may trust before it reads a package's files, its signature
/// checked as `policy` asks: `Ok(None)` when the package carries no list and none is required
/// (its files are then read unchecked). A signature that is there but does not hold is always
/// an error: the list was changed after signing.
pub fn trusted_hashes(
    hashes_json: Option<&[u8]>,
    sig_json: Option<&[u8]>,
    policy: &TrustPolicy,
) -> Result<Option<FileHashes>, IntegrityError> {
    let required = policy.required();
    let Some(list) = hashes_json else {
        return if required {
            Err(IntegrityError::Unsigned)
        } else {
            Ok(None)
        };
    };
    let hashes = FileHashes::from_json(list)?;
    match sig_json {
        None if required => return Err(IntegrityError::Unsigned),
        None => {}
        Some(sig) => {
            verify_signature(list, sig, &policy.trusted)?;
        }
    }
    Ok(Some(hashes))
}

/// What a viewer or `disan verify` demands of a package.
#[derive(Clone, Debug, Default)]
pub struct TrustPolicy {
    /// A package without a valid signature (by one of `trusted`, when given) is refused.
    pub require_signature: bool,
    pub trusted: Vec<VerifyingKey>,
}

impl TrustPolicy {
    /// Whether a package must carry a signature (by a trusted key, when keys are listed).
    pub fn required(&self) -> bool {
        self.require_signature || !self.trusted.is_empty()
    }
}

/// The outcome of checking a whole package on disk.
#[derive(Debug, Default)]
pub struct Verification {
    pub files_checked: usize,
    pub signer: Option<VerifyingKey>,
    pub problems: Vec<IntegrityError>,
}

/// Checks every file of the package at `root` against its `integrity.json` and signature.
/// Every problem is collected, so staff see all the damaged files at once. `manifest` is the
/// package's manifest when it could be read (a tampered one may not parse: its files are still
/// checked against the list).
pub fn verify_package(
    root: &Path,
    manifest: Option<&Manifest>,
    policy: &TrustPolicy,
) -> Verification {
    let read = |f: &str| std::fs::read(root.join(f)).ok();
    let mut v = Verification::default();
    let Some(hashes_json) = read(INTEGRITY_FILE) else {
        v.problems.push(IntegrityError::BadHashes(
            "missing: sign the package with `disan sign` (it writes the hashes and the signature)"
                .into(),
        ));
        return v;
    };
    let hashes = match FileHashes::from_json(&hashes_json) {
        Ok(h) => h,
        Err(e) => {
            v.problems.push(e);
            return v;
        }
    };
    for file in manifest.map(|m| package_files(m, read)).unwrap_or_default() {
        if !hashes.sha256.contains_key(&file) {
            v.problems.push(IntegrityError::Unlisted { file });
        }
    }
    for file in hashes.sha256.keys() {
        match read(file) {
            None => v
                .problems
                .push(IntegrityError::Missing { file: file.clone() }),
            Some(bytes) => {
                v.files_checked += 1;
                if let Err(e) = hashes.check(file, &bytes) {
                    v.problems.push(e);
                }
            }
        }
    }
    match read(SIGNATURE_FILE) {
        None if policy.required() => v.problems.push(IntegrityError::Unsigned),
        None => {}
        Some(sig) => match verify_signature(&hashes_json, &sig, &policy.trusted) {
            Ok(key) => v.signer = Some(key),
            Err(e) => v.problems.push(e),
        },
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn a_signature_holds_only_for_the_signed_bytes_and_the_trusted_key() {
        let hashes = FileHashes {
            format: 1,
            sha256: [("exhibit.toml".to_owned(), sha256_hex(b"format = 1"))].into(),
        }
        .to_json();
        let sig = serde_json::to_vec(&sign(hashes.as_bytes(), &key(1))).unwrap();
        assert_eq!(
            verify_signature(hashes.as_bytes(), &sig, &[]).unwrap(),
            key(1).verifying_key()
        );
        assert!(verify_signature(hashes.as_bytes(), &sig, &[key(1).verifying_key()]).is_ok());
        let tampered = hashes.replace("format\": 1", "format\": 1 ");
        assert_eq!(
            verify_signature(tampered.as_bytes(), &sig, &[]),
            Err(IntegrityError::SignatureInvalid)
        );
        assert!(matches!(
            verify_signature(hashes.as_bytes(), &sig, &[key(2).verifying_key()]),
            Err(IntegrityError::Untrusted { .. })
        ));
    }

    #[test]
    fn what_a_viewer_trusts_before_reading_files() {
        let list = FileHashes {
            format: 1,
            sha256: [("exhibit.toml".to_owned(), sha256_hex(b"x"))].into(),
        }
        .to_json();
        let sig = serde_json::to_vec(&sign(list.as_bytes(), &key(1))).unwrap();
        let open = TrustPolicy::default();
        let strict = TrustPolicy {
            require_signature: true,
            trusted: vec![key(1).verifying_key()],
        };
        assert_eq!(
            trusted_hashes(None, None, &open),
            Ok(None),
            "unsigned packages open where nothing is required"
        );
        assert_eq!(
            trusted_hashes(None, None, &strict),
            Err(IntegrityError::Unsigned)
        );
        assert_eq!(
            trusted_hashes(Some(list.as_bytes()), None, &strict),
            Err(IntegrityError::Unsigned)
        );
        assert!(
            trusted_hashes(Some(list.as_bytes()), Some(&sig), &strict)
                .unwrap()
                .is_some()
        );
        // Hashes without a signature are still checked where nothing is required.
        assert!(
            trusted_hashes(Some(list.as_bytes()), None, &open)
                .unwrap()
                .is_some()
        );
        let other = TrustPolicy {
            require_signature: true,
            trusted: vec![key(2).verifying_key()],
        };
        assert!(matches!(
            trusted_hashes(Some(list.as_bytes()), Some(&sig), &other),
            Err(IntegrityError::Untrusted { .. })
        ));
    }

    #[test]
    fn key_files_round_trip_and_refuse_the_wrong_kind() {
        let k = key(7);
        assert_eq!(
            parse_secret_key(&secret_key_text(&k)).unwrap().to_bytes(),
            k.to_bytes()
        );
        assert_eq!(
            parse_public_key(&public_key_text(&k.verifying_key())).unwrap(),
            k.verifying_key()
        );
        assert!(
            parse_public_key(&secret_key_text(&k))
                .unwrap_err()
                .contains("right kind")
        );
    }

    #[test]
    fn a_changed_file_is_named() {
        let hashes =
            FileHashes::compute(&["models/a.glb".to_owned()], |_| Some(b"glTF".to_vec())).unwrap();
        assert!(hashes.check("models/a.glb", b"glTF").is_ok());
        assert_eq!(
            hashes.check("models/a.glb", b"glTF!"),
            Err(IntegrityError::Mismatch {
                file: "models/a.glb".into()
            })
        );
        assert_eq!(
            hashes.check("models/b.glb", b"glTF"),
            Err(IntegrityError::Unlisted {
                file: "models/b.glb".into()
            })
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    /// A rendition read a piece at a time gets the same verdict as one read whole, over more
    /// than one piece, and a read that fails midway is an error, never a pass.
    #[test]
    fn a_file_checked_as_a_stream_gets_the_same_verdict() {
        let film: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let name = "videos/le-hoi/720p.webm".to_owned();
        let hashes =
            FileHashes::compute(std::slice::from_ref(&name), |_| Some(film.clone())).unwrap();
        assert_eq!(hashes.check_stream(&name, film.as_slice()), Ok(()));
        let mut changed = film.clone();
        changed[150_000] ^= 1;
        assert_eq!(
            hashes.check_stream(&name, changed.as_slice()),
            Err(IntegrityError::Mismatch { file: name.clone() })
        );
        assert_eq!(
            hashes.check_stream(&name, &film[..100_000]),
            Err(IntegrityError::Mismatch { file: name.clone() }),
            "a file cut short"
        );
        assert!(matches!(
            hashes.check_stream("videos/other.webm", film.as_slice()),
            Err(IntegrityError::Unlisted { .. })
        ));

        /// Gives 70 000 bytes, then fails, as a file on a failing disk would.
        struct FailsMidway(usize);
        impl std::io::Read for FailsMidway {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 >= 70_000 {
                    return Err(std::io::Error::other("input/output error"));
                }
                let n = buf.len().min(70_000 - self.0);
                buf[..n].fill(0);
                self.0 += n;
                Ok(n)
            }
        }
        let failed = hashes.check_stream(&name, FailsMidway(0)).unwrap_err();
        assert!(
            failed.to_string().contains("videos/le-hoi/720p.webm")
                && failed.to_string().contains("input/output error"),
            "{failed}"
        );
    }
}
