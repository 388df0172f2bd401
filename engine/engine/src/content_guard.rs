//! Nothing in an exhibit's files reaches the GPU unchecked. Bevy's glTF and image loaders trust
//! the numbers in a file; wgpu treats an out-of-range buffer read or a texture above the
//! device's limit as a fatal validation error, and the viewer quits. So:
//!
//! - every model goes through [`CheckedGltfLoader`], which runs the format crate's model check
//!   (accessors and buffer views against the bytes there, indices against the vertex count,
//!   texture sizes from their headers, every URI inside the package) before Bevy's own glTF
//!   loader sees the bytes. A model that fails is refused with the file and the glTF path named.
//!   Compressed geometry (`EXT_meshopt_compression`, `KHR_mesh_quantization`, which `disan pack`
//!   writes and Bevy cannot read) is decoded there too, and the plain result is what is checked
//!   and loaded;
//! - every PNG/JPEG/KTX2 an exhibit names goes through [`CheckedImageLoader`], which reads the
//!   header first and refuses an image too large to decode within the memory budget (a KTX2,
//!   which goes to the GPU as it is, is checked whole: disan_format::ktx2_check);
//! - [`prepare_exhibit_textures`] downscales a texture above the device's limit (so an 8K scan
//!   still shows on WebGL2) and gives PNG/JPEG textures their mipmaps (Bevy makes none: a 4K
//!   scan texture shimmers without them). The work (a few hundred milliseconds for a 4K
//!   texture) runs on the task pool, not in a frame; the texture is held back from the renderer
//!   until it is done, and framing and the level swap wait for it ([`TexturesInPreparation`]).
//!
//! Both loaders replace Bevy's for their extensions (the last loader registered for an extension
//! and asset type wins), natively and in the browser.

use std::collections::HashMap;
use std::path::{Component, Path};
use std::sync::{Arc, Mutex, PoisonError};

use bevy::asset::io::{Reader, VecReader};
use bevy::asset::{AssetEvent, AssetLoader, AssetPath, LoadContext};
use bevy::gltf::extensions::GltfExtensionHandlers;
use bevy::gltf::{DefaultGltfImageSampler, Gltf, GltfLoader, GltfLoaderSettings};
use bevy::image::{
    CompressedImageFormatSupport, CompressedImageFormats, ImageLoader, ImageLoaderSettings,
};
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use bevy::render::renderer::RenderDevice;
use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, futures_lite::future};
use disan_format::{ModelFile, ModelLimits, PackagePath, check_package_path, image_size};

use crate::library::EXHIBIT_SOURCE;
use crate::policy::ContentNotice;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<LoaderNotices>()
        .init_resource::<TexturesInPreparation>()
        .add_systems(PreUpdate, pass_on_loader_notices)
        .add_systems(
            PostUpdate,
            (prepare_exhibit_textures, finish_prepared_textures)
                .chain()
                .after(bevy::asset::AssetEventSystems),
        );
}

/// Registers the checking loaders once Bevy's renderer and glTF plugin are set up (their
/// settings come from there). Called from the viewer plugin's `finish`.
pub(super) fn register_loaders(app: &mut App) {
    let world = app.world();
    if world.get_resource::<DefaultGltfImageSampler>().is_none() {
        // No glTF plugin (logic tests): nothing to guard.
        return;
    }
    let limits = limits_of(world.get_resource::<RenderDevice>());
    let formats = world
        .get_resource::<CompressedImageFormatSupport>()
        .map_or(CompressedImageFormats::NONE, |s| s.0);
    let inner = GltfLoader {
        supported_compressed_formats: formats,
        custom_vertex_attributes: default(),
        default_sampler: world.resource::<DefaultGltfImageSampler>().get_internal(),
        default_convert_coordinates: default(),
        extensions: world.resource::<GltfExtensionHandlers>().0.clone(),
        default_skinned_mesh_bounds_policy: default(),
    };
    let notices = world.resource::<LoaderNotices>().clone();
    // Natively the files are on disk, where a link could lead out of the package.
    let disk_root = (!cfg!(target_family = "wasm"))
        .then(|| {
            world
                .get_resource::<crate::library::ExhibitLibrary>()
                .map(|l| l.source_root().to_owned())
        })
        .flatten();
    app.insert_resource(DeviceTextureLimit(limits.max_texture_dimension))
        .register_asset_loader(CheckedGltfLoader {
            inner,
            limits,
            notices,
            disk_root,
        })
        .register_asset_loader(CheckedImageLoader {
            inner: ImageLoader::new(formats),
            limits,
        });
}

/// The limits this device and build impose on a model.
fn limits_of(device: Option<&RenderDevice>) -> ModelLimits {
    let mut limits = ModelLimits::for_this_build();
    if let Some(device) = device {
        limits.max_texture_dimension = device.limits().max_texture_dimension_2d;
    }
    limits
}

/// The largest texture side the GPU takes.
#[derive(Resource, Clone, Copy, Debug)]
pub struct DeviceTextureLimit(pub u32);

/// Warnings the loaders found (they run on other threads), passed on as notices each frame.
#[derive(Resource, Clone, Default)]
struct LoaderNotices(Arc<Mutex<Vec<ContentNotice>>>);

impl LoaderNotices {
    fn push(&self, notice: ContentNotice) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(notice);
    }
}

fn pass_on_loader_notices(pending: Res<LoaderNotices>, mut notices: MessageWriter<ContentNotice>) {
    let drained: Vec<ContentNotice> =
        std::mem::take(&mut *pending.0.lock().unwrap_or_else(PoisonError::into_inner));
    notices.write_batch(drained);
}

/// Why a file was refused before it was decoded: the lines of the model check, each with the
/// glTF path of the problem.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("{}", .0.join("; "))]
    Checked(Vec<String>),
    #[error("cannot be read: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Outside(String),
    #[error("{0}")]
    Gltf(#[from] bevy::gltf::GltfError),
    #[error("{0}")]
    Image(#[from] bevy::image::ImageLoaderError),
}

/// `pkg/models/x.glb` (the path in the `exhibits` source) → (`pkg`, `models/x.glb`). Packages
/// are the source's direct sub-folders (see `library::source_root`).
fn split_package(path: &Path) -> Result<(String, PackagePath), Refused> {
    let mut parts = path.components().filter_map(|c| match c {
        Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
        _ => None,
    });
    let package = parts.next().unwrap_or_default();
    let rest: Vec<String> = parts.collect();
    let file = check_package_path(&rest.join("/"))
        .map_err(|why| Refused::Outside(format!("\"{}\" {why}", path.display())))?;
    Ok((package, file))
}

/// Bevy's glTF loader behind the model check (see the module's documentation).
#[derive(TypePath)]
pub struct CheckedGltfLoader {
    inner: GltfLoader,
    limits: ModelLimits,
    notices: LoaderNotices,
    /// The folder the `exhibits` source serves, when it is a folder on disk.
    disk_root: Option<std::path::PathBuf>,
}

impl CheckedGltfLoader {
    /// Whether `file` of `package`, on disk, really is inside the package (not a link out of it).
    fn stays_inside(&self, package: &str, file: &PackagePath) -> bool {
        let Some(root) = &self.disk_root else {
            return true;
        };
        let package = root.join(package);
        match (
            package.canonicalize(),
            package.join(file.as_str()).canonicalize(),
        ) {
            (Ok(package), Ok(real)) => real.starts_with(package),
            // Missing: the check reports it as missing.
            _ => true,
        }
    }
}

impl AssetLoader for CheckedGltfLoader {
    type Asset = Gltf;
    type Settings = GltfLoaderSettings;
    type Error = Refused;

    async fn load(
        &self,
        reader: &mut dyn Reader,
        settings: &GltfLoaderSettings,
        context: &mut LoadContext<'_>,
    ) -> Result<Gltf, Refused> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).await?;
        let asset_path = context.path().clone();
        let mut decoded = None;
        if asset_path.source().as_str() == Some(EXHIBIT_SOURCE) {
            let (package, model) = split_package(asset_path.path())?;
            let file = ModelFile::parse(&model, &bytes)
                .map_err(|r| Refused::Checked(r.errors().map(line).collect()))?;
            let mut files = HashMap::new();
            for dependency in file.external_files() {
                if !self.stays_inside(&package, &dependency) {
                    return Err(Refused::Outside(format!(
                        "\"{dependency}\", which the model names, is a link that leads outside the package: copy the file in instead"
                    )));
                }
                let path =
                    AssetPath::from(format!("{package}/{dependency}")).with_source(EXHIBIT_SOURCE);
                if let Ok(bytes) = context.read_asset_bytes(path).await {
                    files.insert(dependency, bytes);
                }
            }
            let (report, plain) = file.check_and_decode(&files, &self.limits);
            if report.has_errors() {
                return Err(Refused::Checked(report.errors().map(line).collect()));
            }
            for warning in &report.findings {
                self.notices.push(ContentNotice {
                    file: model.to_string(),
                    reason: line(warning),
                });
            }
            // Compressed geometry (`disan pack`'s levels), decoded into the plain GLB that
            // Bevy's loader reads (disan_format::compression says why it is done here).
            decoded = plain;
        }
        let bytes = decoded.unwrap_or(bytes);
        Ok(GltfLoader::load_gltf(&self.inner, &bytes, context, settings).await?)
    }

    fn extensions(&self) -> &[&str] {
        &["gltf", "glb"]
    }
}

fn line(finding: &disan_format::ModelFinding) -> String {
    if finding.field.is_empty() {
        finding.message.clone()
    } else {
        format!("`{}` {}", finding.field, finding.message)
    }
}

/// Bevy's image loader behind a header check: an image whose header claims more pixels than the
/// budget is refused before a byte of it is decoded.
#[derive(TypePath)]
pub struct CheckedImageLoader {
    inner: ImageLoader,
    limits: ModelLimits,
}

impl AssetLoader for CheckedImageLoader {
    type Asset = Image;
    type Settings = ImageLoaderSettings;
    type Error = Refused;

    async fn load(
        &self,
        reader: &mut dyn Reader,
        settings: &ImageLoaderSettings,
        context: &mut LoadContext<'_>,
    ) -> Result<Image, Refused> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).await?;
        // A KTX2 goes to the GPU as it is: its whole structure is checked first.
        if disan_format::ktx2_check::is_ktx2(&bytes) {
            disan_format::ktx2_check::check_ktx2(&bytes, self.limits.max_texture_dimension)
                .map_err(|why| Refused::Checked(vec![why]))?;
        }
        match image_size(&bytes) {
            Ok((w, h)) if u64::from(w) * u64::from(h) > self.limits.max_image_pixels => {
                return Err(Refused::Checked(vec![format!(
                    "is {w}×{h} pixels ({} MiB decoded), more than this viewer can hold for one image ({} MiB): save it at 8192×8192 or less",
                    u64::from(w) * u64::from(h) * 4 >> 20,
                    self.limits.max_image_pixels * 4 >> 20
                )]));
            }
            Err(why) => return Err(Refused::Checked(vec![why])),
            Ok(_) => {}
        }
        let mut reader = VecReader::new(bytes);
        Ok(self.inner.load(&mut reader, settings, context).await?)
    }

    fn extensions(&self) -> &[&str] {
        &["png", "jpg", "jpeg", "ktx2"]
    }
}

/// Textures being downscaled and mipmapped on the task pool. While one is here its image is
/// held back from the renderer (a material waiting for it is not drawn), so nothing is drawn
/// with a texture that is about to change: framing (the first picture) and the swap to a better
/// level of detail wait until this is empty.
#[derive(Resource, Default)]
pub struct TexturesInPreparation {
    tasks: Vec<TextureTask>,
}

struct TextureTask {
    id: AssetId<Image>,
    /// Where the image goes once prepared (the render world, and the main world too when
    /// something ray-casts against the model).
    usage: bevy::asset::RenderAssetUsages,
    file: String,
    label: String,
    task: Task<(Image, Prepared)>,
}

impl TexturesInPreparation {
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}

/// Textures of the exhibit, once decoded and before the renderer sees them: each PNG/JPEG
/// texture goes to the task pool to be downscaled to the device's limit and given a full mipmap
/// chain, and is kept in the main world only until it comes back.
pub fn prepare_exhibit_textures(
    mut events: MessageReader<AssetEvent<Image>>,
    mut images: ResMut<Assets<Image>>,
    assets: Res<AssetServer>,
    limit: Option<Res<DeviceTextureLimit>>,
    mut preparing: ResMut<TexturesInPreparation>,
) {
    let limit = limit.map_or(u32::MAX, |l| l.0);
    for event in events.read() {
        let AssetEvent::Added { id } = event else {
            continue;
        };
        // Only the exhibit's own images: fonts' atlases and render targets are Bevy's.
        let Some(path) = assets.get_path(*id) else {
            continue;
        };
        if path.source().as_str() != Some(EXHIBIT_SOURCE) {
            continue;
        }
        let Some(mut image) = images.get_mut(*id) else {
            continue;
        };
        if !needs_preparation(&image) {
            continue;
        }
        let usage = image.asset_usage;
        // Held in the main world while away: the renderer extracts only what is marked for it.
        image.asset_usage = bevy::asset::RenderAssetUsages::MAIN_WORLD;
        // The pixels move to the task (no copy); the asset keeps its description meanwhile.
        let data = image.data.take();
        let mut work = image.clone();
        work.data = data;
        work.asset_usage = usage;
        let task = AsyncComputeTaskPool::get().spawn(async move {
            let prepared = prepare_texture(&mut work, limit);
            (work, prepared)
        });
        preparing.tasks.push(TextureTask {
            id: *id,
            usage,
            file: path
                .without_label()
                .path()
                .to_string_lossy()
                .split_once('/')
                .map_or(String::new(), |(_, f)| f.to_owned()),
            label: path.label().unwrap_or("image").to_owned(),
            task,
        });
    }
}

/// Prepared textures go back into their image assets, marked for the renderer again.
fn finish_prepared_textures(
    mut preparing: ResMut<TexturesInPreparation>,
    mut images: ResMut<Assets<Image>>,
    limit: Option<Res<DeviceTextureLimit>>,
    mut notices: MessageWriter<ContentNotice>,
) {
    if preparing.tasks.is_empty() {
        return;
    }
    let limit = limit.map_or(u32::MAX, |l| l.0);
    preparing.tasks.retain_mut(|t| {
        let Some((mut prepared, outcome)) = block_on(future::poll_once(&mut t.task)) else {
            return true;
        };
        // An image whose exhibit was left meanwhile is gone; its work is dropped.
        if let Some(mut image) = images.get_mut(t.id) {
            prepared.asset_usage = t.usage;
            *image = prepared;
        }
        if let Prepared::Downscaled { from, to } = outcome {
            notices.write(ContentNotice {
                file: t.file.clone(),
                reason: format!(
                    "texture {}: {}×{} is more than this device's largest texture ({limit}), so it is shown at {}×{}",
                    t.label, from.0, from.1, to.0, to.1
                ),
            });
        }
        false
    });
}

/// A plain 8-bit RGBA 2D texture (what PNG and JPEG decode to) with its pixels and no mipmaps.
fn needs_preparation(image: &Image) -> bool {
    let size = image.texture_descriptor.size;
    matches!(
        image.texture_descriptor.format,
        TextureFormat::Rgba8UnormSrgb | TextureFormat::Rgba8Unorm
    ) && image.texture_descriptor.dimension == TextureDimension::D2
        && size.depth_or_array_layers == 1
        && image.texture_descriptor.mip_level_count == 1
        && image.data.is_some()
}

/// What [`prepare_texture`] did.
#[derive(Debug, PartialEq)]
pub enum Prepared {
    Untouched,
    Mipmapped,
    Downscaled { from: (u32, u32), to: (u32, u32) },
}

/// Downscales `image` to fit `limit` and gives it mipmaps, when it is a plain 8-bit RGBA 2D
/// texture (what PNG and JPEG decode to) without mipmaps. Others (KTX2 with their own mips,
/// HDR, compressed formats) are left as they are.
pub fn prepare_texture(image: &mut Image, limit: u32) -> Prepared {
    let size = image.texture_descriptor.size;
    let Some(data) = image.data.as_ref().filter(|_| needs_preparation(image)) else {
        return Prepared::Untouched;
    };
    let Some(mut base) = image::RgbaImage::from_raw(size.width, size.height, data.clone()) else {
        return Prepared::Untouched;
    };
    let mut result = Prepared::Mipmapped;
    let limit = limit.max(1);
    if size.width > limit || size.height > limit {
        let scale = f64::from(limit) / f64::from(size.width.max(size.height));
        let (w, h) = (
            ((f64::from(size.width) * scale).round() as u32).clamp(1, limit),
            ((f64::from(size.height) * scale).round() as u32).clamp(1, limit),
        );
        base = image::imageops::resize(&base, w, h, image::imageops::FilterType::Triangle);
        result = Prepared::Downscaled {
            from: (size.width, size.height),
            to: (w, h),
        };
    }
    let (width, height) = base.dimensions();
    let levels = 32 - width.max(height).leading_zeros();
    let mut data = base.as_raw().clone();
    let mut level = base;
    for _ in 1..levels {
        let (w, h) = ((level.width() / 2).max(1), (level.height() / 2).max(1));
        // A triangle filter halving the size is a 2×2 box filter: each mip averages its parent.
        level = image::imageops::resize(&level, w, h, image::imageops::FilterType::Triangle);
        data.extend_from_slice(level.as_raw());
    }
    image.data = Some(data);
    image.texture_descriptor.size = Extent3d {
        width,
        height,
        depth_or_array_layers: 1,
    };
    image.texture_descriptor.mip_level_count = levels;
    result
}

#[cfg(test)]
mod tests {
    use bevy::asset::RenderAssetUsages;

    use super::*;

    fn rgba(width: u32, height: u32) -> Image {
        let data: Vec<u8> = (0..width * height)
            .flat_map(|i| [(i % 251) as u8, 128, 255 - (i % 7) as u8, 255])
            .collect();
        Image::new(
            Extent3d {
                width,
                height,
                depth_or_array_layers: 1,
            },
            TextureDimension::D2,
            data,
            TextureFormat::Rgba8UnormSrgb,
            RenderAssetUsages::default(),
        )
    }

    #[test]
    fn a_texture_gets_a_full_mip_chain() {
        let mut image = rgba(64, 16);
        assert_eq!(prepare_texture(&mut image, 4096), Prepared::Mipmapped);
        assert_eq!(
            image.texture_descriptor.mip_level_count, 7,
            "64 → 32 → … → 1"
        );
        let expected: u32 = [(64, 16), (32, 8), (16, 4), (8, 2), (4, 1), (2, 1), (1, 1)]
            .iter()
            .map(|(w, h)| w * h * 4)
            .sum();
        assert_eq!(
            image.data.as_ref().unwrap().len() as u32,
            expected,
            "every level's bytes, in order"
        );
        assert_eq!(
            prepare_texture(&mut image, 4096),
            Prepared::Untouched,
            "an image with mips is left alone"
        );
    }

    #[test]
    fn a_texture_above_the_device_limit_is_downscaled_not_refused() {
        let mut image = rgba(300, 120);
        assert_eq!(
            prepare_texture(&mut image, 100),
            Prepared::Downscaled {
                from: (300, 120),
                to: (100, 40)
            }
        );
        assert_eq!(
            image.texture_descriptor.size,
            Extent3d {
                width: 100,
                height: 40,
                depth_or_array_layers: 1
            }
        );
        assert_eq!(image.texture_descriptor.mip_level_count, 7);
    }

    #[test]
    fn package_paths_are_split_from_the_source_path() {
        let (package, file) = split_package(Path::new("trong-dong/models/trong-dong.glb")).unwrap();
        assert_eq!(
            (package.as_str(), file.as_str()),
            ("trong-dong", "models/trong-dong.glb")
        );
    }
}
