//! `disan keygen`, `disan sign` and `disan verify`: the museum's signature on its packages
//! (docs/integrity.md). The checks themselves are `disan_format::integrity`'s, shared with the
//! viewers.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use disan_format::integrity::{
    self, FileHashes, INTEGRITY_FILE, SIGNATURE_FILE, TrustPolicy, fingerprint, package_files,
    parse_public_key, parse_secret_key, public_key_text, secret_key_text,
};

use crate::cli::Command;

#[derive(Debug)]
pub enum IntegrityArgs {
    Keygen {
        out: PathBuf,
    },
    Sign {
        package: PathBuf,
        key: PathBuf,
    },
    Verify {
        packages: Vec<PathBuf>,
        trust: Vec<PathBuf>,
        require_signature: bool,
    },
}

pub fn parse(command: &str, args: Vec<String>) -> Result<Command, String> {
    let mut it = args.into_iter();
    let (mut out, mut key, mut paths, mut trust, mut unsigned_ok) =
        (None, None, Vec::new(), Vec::new(), false);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .map(PathBuf::from)
                .ok_or_else(|| format!("{name} needs a file"))
        };
        match arg.as_str() {
            "--out" if command == "keygen" => out = Some(value("--out")?),
            "--key" if command == "sign" => key = Some(value("--key")?),
            "--trust" if command == "verify" => trust.push(value("--trust")?),
            "--allow-unsigned" if command == "verify" => unsigned_ok = true,
            s if s.starts_with('-') => return Err(format!("unknown option {s} for {command}")),
            s => paths.push(PathBuf::from(s)),
        }
    }
    let args = match command {
        "keygen" if paths.is_empty() => IntegrityArgs::Keygen { out: out.ok_or("`keygen` needs --out KEYFILE (outside every package; the public key is written beside it as KEYFILE.pub)")? },
        "sign" if paths.len() == 1 => IntegrityArgs::Sign { package: paths.remove(0), key: key.ok_or("`sign` needs --key KEYFILE (made by `disan keygen`)")? },
        "verify" if !paths.is_empty() => IntegrityArgs::Verify { packages: paths, trust, require_signature: !unsigned_ok },
        "keygen" => return Err("`keygen` takes no package: disan keygen --out KEYFILE".into()),
        "sign" => return Err("`sign` needs one package: disan sign PACKAGE --key KEYFILE".into()),
        _ => return Err("`verify` needs at least one package: disan verify PACKAGE... [--trust KEY.pub]".into()),
    };
    Ok(Command::Integrity(args))
}

pub fn run(args: IntegrityArgs) -> ExitCode {
    let result = match args {
        IntegrityArgs::Keygen { out } => keygen(&out),
        IntegrityArgs::Sign { package, key } => sign(&package, &key),
        IntegrityArgs::Verify {
            packages,
            trust,
            require_signature,
        } => return verify(&packages, &trust, require_signature),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("disan: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The package folder `path` is in (or is), if any: a key file must never be written there,
/// where it would be published with the exhibit.
fn enclosing_package(path: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(path).ok()?;
    abs.ancestors()
        .find(|dir| dir.join(disan_format::MANIFEST_FILE).is_file())
        .map(Path::to_owned)
}

fn keygen(out: &Path) -> Result<(), String> {
    let public = PathBuf::from(format!("{}.pub", out.display()));
    if let Some(package) = enclosing_package(out) {
        return Err(format!(
            "{}: inside the package {}; keep the key outside every package (docs/integrity.md says where)",
            out.display(),
            package.display()
        ));
    }
    for p in [out, public.as_path()] {
        if p.exists() {
            return Err(format!(
                "{} already exists: a key is never overwritten (packages signed with it would no longer verify); choose another name",
                p.display()
            ));
        }
    }
    let mut seed = [0u8; 32];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut seed);
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    write_secret(out, secret_key_text(&key).as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    std::fs::write(&public, public_key_text(&key.verifying_key()))
        .map_err(|e| format!("cannot write {}: {e}", public.display()))?;
    println!(
        "disan keygen: secret key {} (only its owner may read it), public key {}",
        out.display(),
        public.display()
    );
    println!(
        "disan keygen: fingerprint {}; give the .pub file to every kiosk and portal that must trust this museum's packages",
        fingerprint(&key.verifying_key())
    );
    Ok(())
}

/// Creates a file only its owner can read, failing if it exists.
fn write_secret(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

fn sign(package: &Path, key_file: &Path) -> Result<(), String> {
    if enclosing_package(key_file).is_some() {
        return Err(format!(
            "{}: a secret key inside a package would be published with it; move it out (docs/integrity.md)",
            key_file.display()
        ));
    }
    let key_text = std::fs::read_to_string(key_file)
        .map_err(|e| format!("cannot read the key {}: {e}", key_file.display()))?;
    let key = parse_secret_key(&key_text).map_err(|e| format!("{}: {e}", key_file.display()))?;
    let opened = disan_format::open_package(package)
        .map_err(|e| format!("only a valid package can be signed; fix these first:\n{e}"))?;
    let read = |f: &str| std::fs::read(package.join(f)).ok();
    let files = package_files(&opened.manifest, read);
    let hashes =
        FileHashes::compute(&files, read).map_err(|e| format!("{}: {e}", package.display()))?;
    let json = hashes.to_json();
    let signature = integrity::sign(json.as_bytes(), &key);
    let write = |name: &str, text: &str| {
        std::fs::write(package.join(name), text)
            .map_err(|e| format!("cannot write {}: {e}", package.join(name).display()))
    };
    write(INTEGRITY_FILE, &json)?;
    write(
        SIGNATURE_FILE,
        &(serde_json::to_string_pretty(&signature).expect("json") + "\n"),
    )?;
    println!(
        "disan sign: {}: {} files hashed (SHA-256) into {INTEGRITY_FILE}, signed by key {} into {SIGNATURE_FILE}",
        package.display(),
        files.len(),
        fingerprint(&key.verifying_key())
    );
    Ok(())
}

/// The public keys in these `.pub` files; the first that cannot be read is named.
pub fn load_trusted_keys(files: &[PathBuf]) -> Result<Vec<ed25519_dalek::VerifyingKey>, String> {
    files
        .iter()
        .map(|f| {
            std::fs::read_to_string(f)
                .map_err(|e| e.to_string())
                .and_then(|text| parse_public_key(&text))
                .map_err(|e| format!("{}: {e}", f.display()))
        })
        .collect()
}

fn verify(packages: &[PathBuf], trust: &[PathBuf], require_signature: bool) -> ExitCode {
    let trusted = match load_trusted_keys(trust) {
        Ok(keys) => keys,
        Err(e) => {
            eprintln!("disan verify: --trust {e}");
            return ExitCode::from(66);
        }
    };
    let policy = TrustPolicy {
        require_signature,
        trusted,
    };
    let mut failed = 0;
    for package in packages {
        let manifest = disan_format::open_package(package);
        let report = integrity::verify_package(
            package,
            manifest.as_ref().ok().map(|p| &p.manifest),
            &policy,
        );
        let mut problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        if let Err(e) = &manifest {
            problems.push(format!("the manifest does not open: {e}"));
        }
        if problems.is_empty() {
            let signer = report.signer.map(|k| {
                format!(
                    ", signed by key {}{}",
                    fingerprint(&k),
                    if policy.trusted.is_empty() {
                        " (give --trust KEY.pub to require it)"
                    } else {
                        ", trusted"
                    }
                )
            });
            println!(
                "{}: OK, {} files match{}",
                package.display(),
                report.files_checked,
                signer.unwrap_or_else(|| ", not signed".into())
            );
        } else {
            failed += 1;
            for p in problems {
                eprintln!("{}: {p}", package.display());
            }
        }
    }
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
