//! Laser-scan point clouds (`[[pointclouds]]`), streamed by level of detail from the Potree 2.0
//! layout `disan pack` writes (`disan_format::pointcloud`).
//!
//! `metadata.json`, `hierarchy.bin` and `node-hashes.bin` are read whole through the asset server
//! (so a signed package's hashes are checked as for any file). The points are in `octree.bin`, read node by
//! node by byte range: natively from the disk, in the browser with an HTTP `Range` request (which
//! every static server, object store and CDN answers), cancelled when the visitor leaves, and
//! each node is checked against its SHA-256 in `node-hashes.bin` before it is drawn.
//!
//! Which nodes: every frame, from the root down, the nodes in the camera's view in order of their
//! size on screen, until the point budget ([`PointBudget`]) is spent; a node smaller than
//! [`MIN_NODE_PX`] on screen is not refined. A node and its ancestors drawn together show its
//! region at its level's density (each point is in one node only), so a node still on its way
//! leaves its parent's coarser points showing, never a hole. Nodes no longer wanted are hidden,
//! and freed when more than twice the budget is held.
//!
//! How: each point is a small square facing the camera (four vertices; WebGL2 has no
//! point-size control worth the name), drawn as a round splat whose size follows the spacing of
//! the finer levels drawn in its node's region (adaptive point size): far away a coarse level's
//! big points close the gaps, close up a fine level's small ones keep the detail. Splats are
//! shaded by depth towards their rim, a cheap stand-in for eye-dome lighting that gives a flat
//! cloud its relief.

use std::collections::HashMap;
use std::sync::Arc;

use bevy::asset::io::Reader as AssetReader;
use bevy::asset::{AssetLoader, LoadContext, RenderAssetUsages, uuid_handle};
use bevy::camera::primitives::{Frustum, Sphere};
use bevy::mesh::{
    Indices, MeshVertexAttribute, MeshVertexBufferLayoutRef, PrimitiveTopology, VertexFormat,
};
use bevy::pbr::{MaterialPipeline, MaterialPipelineKey};
use bevy::prelude::*;
use bevy::render::render_resource::{
    AsBindGroup, RenderPipelineDescriptor, SpecializedMeshPipelineError,
};
use bevy::shader::ShaderRef;
use bevy::tasks::{IoTaskPool, Task, block_on, futures_lite::future};
use disan_format::pointcloud::{Hierarchy, Metadata, NodePoints, decode_node};

use crate::library::{ExhibitLibrary, ExhibitReset};
use crate::loading::{ExhibitModel, ModelSpawned};
use crate::policy::ContentNotice;
use crate::{ExhibitScoped, ViewerState};

const SHADER: Handle<Shader> = uuid_handle!("8d0e6a52-3c1b-4f7e-9b2a-5e4c7d1f0a93");

pub(super) fn plugin(app: &mut App) {
    crate::register_shader(
        app,
        &SHADER,
        include_str!("../../../shaders/point_cloud.wgsl"),
        "shaders/point_cloud.wgsl",
    );
    app.add_plugins(MaterialPlugin::<PointMaterial>::default())
        .init_asset::<CloudIndex>()
        .register_asset_loader(CloudIndexLoader)
        .init_resource::<PointClouds>()
        .init_resource::<PointBudget>()
        .add_systems(ExhibitReset, reset)
        .add_systems(OnEnter(ViewerState::Exhibit), load_indices)
        .add_systems(
            Update,
            (
                track_indices,
                choose_nodes,
                receive_nodes,
                size_points,
                report_settled,
            )
                .chain()
                .run_if(in_state(ViewerState::Exhibit)),
        );
}

/// The most points drawn at once, all clouds together. Two million is what the issue asks a
/// school PC to hold (64 MB of vertices); the browser on a phone gets half.
#[derive(Resource, Clone, Copy, Debug)]
pub struct PointBudget(pub u64);

impl Default for PointBudget {
    /// `DISAN_POINT_BUDGET` sets it natively (a kiosk on a weak GPU, the tests).
    fn default() -> Self {
        let fallback = if cfg!(target_family = "wasm") {
            1_000_000
        } else {
            2_000_000
        };
        Self(
            std::env::var("DISAN_POINT_BUDGET")
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .filter(|b| *b >= 1000)
                .unwrap_or(fallback),
        )
    }
}

/// Nodes smaller than this on screen (their bounding sphere's diameter, pixels) are not refined.
pub const MIN_NODE_PX: f32 = 150.0;
/// Node reads in flight at once: enough to keep a link busy, few enough that the nearest
/// nodes are not queued behind far ones.
const MAX_LOADS_IN_FLIGHT: usize = 4;
/// Splats at least this many pixels across (smaller ones flicker), and at most this many.
const MIN_POINT_PX: f32 = 1.5;
const MAX_POINT_PX: f32 = 40.0;

/// A cloud's `metadata.json` with its `hierarchy.bin`, read together.
#[derive(Asset, TypePath, Debug)]
pub struct CloudIndex {
    pub metadata: Metadata,
    pub hierarchy: Hierarchy,
    /// Each node's SHA-256 (`node-hashes.bin`): a node read by range is checked against it, so
    /// a signed package's points are as trusted as its whole files.
    pub node_hashes: Vec<[u8; 32]>,
}

#[derive(Default, TypePath)]
struct CloudIndexLoader;

#[derive(Debug, thiserror::Error)]
enum CloudIndexError {
    #[error("cannot be read: {0}")]
    Io(#[from] std::io::Error),
    #[error("its hierarchy.bin cannot be read: {0}")]
    Hierarchy(String),
    #[error("{0}")]
    Cloud(#[from] disan_format::pointcloud::PointCloudError),
}

impl AssetLoader for CloudIndexLoader {
    type Asset = CloudIndex;
    type Settings = ();
    type Error = CloudIndexError;

    async fn load(
        &self,
        reader: &mut dyn AssetReader,
        _: &(),
        context: &mut LoadContext<'_>,
    ) -> Result<CloudIndex, CloudIndexError> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).await?;
        let metadata = Metadata::parse(&bytes)?;
        // Beside metadata.json, from the same source (so a signed package's hashes apply).
        let path = context.path().resolve_embed(&bevy::asset::AssetPath::from(
            disan_format::pointcloud::HIERARCHY_FILE,
        ));
        let hierarchy_bytes = context
            .read_asset_bytes(path)
            .await
            .map_err(|e| CloudIndexError::Hierarchy(e.to_string()))?;
        let hierarchy = Hierarchy::parse(&metadata, &hierarchy_bytes, None)?;
        let hashes_path = context.path().resolve_embed(&bevy::asset::AssetPath::from(
            disan_format::pointcloud::NODE_HASHES_FILE,
        ));
        let hashes = context.read_asset_bytes(hashes_path).await.map_err(|e| {
            CloudIndexError::Hierarchy(format!(
                "{e} (node-hashes.bin: pack the scan again with `disan pack`)"
            ))
        })?;
        let node_hashes = disan_format::pointcloud::parse_node_hashes(&hashes, &hierarchy)?;
        Ok(CloudIndex {
            metadata,
            hierarchy,
            node_hashes,
        })
    }

    fn extensions(&self) -> &[&str] {
        &["json"]
    }
}

/// The vertex attribute of a splat corner: the point's sRGB colour, and in alpha which corner
/// of its square this vertex is (0–3).
pub const ATTRIBUTE_COLOUR_CORNER: MeshVertexAttribute =
    MeshVertexAttribute::new("PointColourCorner", 0x5d15_a9c1, VertexFormat::Unorm8x4);

/// Round splats of a level's size. One per cloud and level: a node switches material when a
/// finer level is drawn over its region.
#[derive(Asset, TypePath, AsBindGroup, Debug, Clone)]
pub struct PointMaterial {
    /// x: splat diameter in metres; y, z: its smallest and largest size in pixels; w: 1 where
    /// eye-dome lighting shades the points (eye_dome.rs), 0 for flat shading.
    #[uniform(0)]
    pub size: Vec4,
}

impl Material for PointMaterial {
    fn vertex_shader() -> ShaderRef {
        ShaderRef::Handle(SHADER)
    }
    fn fragment_shader() -> ShaderRef {
        ShaderRef::Handle(SHADER)
    }
    fn enable_prepass() -> bool {
        false
    }
    fn enable_shadows() -> bool {
        false
    }
    fn specialize(
        _pipeline: &MaterialPipeline,
        descriptor: &mut RenderPipelineDescriptor,
        layout: &MeshVertexBufferLayoutRef,
        _key: MaterialPipelineKey<Self>,
    ) -> Result<(), SpecializedMeshPipelineError> {
        let vertex = layout.0.get_layout(&[
            Mesh::ATTRIBUTE_POSITION.at_shader_location(0),
            ATTRIBUTE_COLOUR_CORNER.at_shader_location(1),
        ])?;
        descriptor.vertex.buffers = vec![vertex];
        descriptor.primitive.cull_mode = None;
        Ok(())
    }
}

/// The clouds of the exhibit on screen.
#[derive(Resource, Default)]
pub struct PointClouds {
    pub clouds: Vec<CloudState>,
}

impl PointClouds {
    /// Points drawn now, all clouds together.
    pub fn points_shown(&self) -> u64 {
        self.clouds.iter().map(CloudState::points_shown).sum()
    }
    /// Points held (drawn or hidden, not yet freed).
    pub fn points_held(&self) -> u64 {
        self.clouds
            .iter()
            .flat_map(|c| c.nodes.values())
            .filter_map(|n| match n {
                NodeState::Held { points, .. } => Some(*points),
                _ => None,
            })
            .sum()
    }
    /// Whether every node the view wants is drawn (or has failed): nothing is on its way.
    pub fn settled(&self) -> bool {
        self.clouds.iter().all(|c| {
            c.failed
                || c.index.as_ref().is_some_and(|index| {
                    !c.wanted.is_empty()
                        && c.wanted.iter().all(|n| {
                            index.hierarchy.nodes[*n as usize].points == 0
                                || matches!(
                                    c.nodes.get(n),
                                    Some(NodeState::Held { .. } | NodeState::Failed)
                                )
                        })
                })
        })
    }
    /// Nodes drawn now, all clouds together.
    pub fn nodes_shown(&self) -> usize {
        self.clouds
            .iter()
            .flat_map(|c| c.nodes.values())
            .filter(|n| matches!(n, NodeState::Held { shown: true, .. }))
            .count()
    }
    /// The finest level drawn, all clouds together (0: only the roots).
    pub fn deepest_level_shown(&self) -> u32 {
        self.clouds
            .iter()
            .filter_map(|c| {
                let index = c.index.as_ref()?;
                c.nodes
                    .iter()
                    .filter(|(_, s)| matches!(s, NodeState::Held { shown: true, .. }))
                    .map(|(n, _)| index.hierarchy.nodes[*n as usize].level)
                    .max()
            })
            .max()
            .unwrap_or(0)
    }
}

pub struct CloudState {
    pub id: String,
    /// The file as the manifest names it, for notices.
    file: String,
    handle: Handle<CloudIndex>,
    index: Option<Arc<CloudIndex>>,
    /// Where octree.bin is: a path on disk, or a URL in the browser.
    octree: String,
    origin: [f64; 3],
    point_size: f32,
    /// The cloud's entity: turns the cloud's own axes into the exhibit's.
    entity: Entity,
    materials: Vec<Handle<PointMaterial>>,
    pub nodes: HashMap<u32, NodeState>,
    /// The nodes chosen in the last frame, in the order chosen.
    pub wanted: Vec<u32>,
    failed: bool,
}

impl CloudState {
    fn points_shown(&self) -> u64 {
        self.nodes
            .values()
            .filter_map(|n| match n {
                NodeState::Held {
                    points,
                    shown: true,
                    ..
                } => Some(*points),
                _ => None,
            })
            .sum()
    }
}

pub enum NodeState {
    Loading(Task<Result<NodePoints, String>>),
    Held {
        entity: Entity,
        points: u64,
        shown: bool,
        /// The level whose spacing its splats take.
        size_level: u32,
        last_wanted: u64,
    },
    Failed,
}

fn reset(mut clouds: ResMut<PointClouds>) {
    // Entities go with the exhibit (ExhibitScoped); dropping a task cancels its read.
    *clouds = PointClouds::default();
}

fn load_indices(
    library: Res<ExhibitLibrary>,
    assets: Res<AssetServer>,
    mut clouds: ResMut<PointClouds>,
    mut materials: ResMut<Assets<PointMaterial>>,
    mut commands: Commands,
) {
    let Some(package) = library.current_package() else {
        return;
    };
    for cloud in &package.manifest.pointclouds {
        let path = library.asset_path(package, &cloud.src);
        let [_, _, octree, _] = cloud.files();
        let octree_location = octree_location(&library, package, &octree);
        let rotation = if cloud.z_up {
            // The survey's Z up, its +Y (north) away from the visitor: (x, y, z) → (x, z, −y).
            Quat::from_rotation_x(-std::f32::consts::FRAC_PI_2)
        } else {
            Quat::IDENTITY
        };
        let entity = commands
            .spawn((
                Transform::from_rotation(rotation),
                Visibility::default(),
                ExhibitModel,
                ExhibitScoped,
                Name::new(format!("point cloud {}", cloud.id)),
            ))
            .id();
        clouds.clouds.push(CloudState {
            id: cloud.id.clone(),
            file: cloud.src.to_string(),
            handle: assets.load(path),
            index: None,
            octree: octree_location,
            origin: cloud.origin,
            point_size: cloud.point_size,
            entity,
            materials: (0..=disan_format::pointcloud::MAX_DEPTH)
                .map(|_| materials.add(PointMaterial { size: Vec4::ZERO }))
                .collect(),
            nodes: HashMap::new(),
            wanted: Vec::new(),
            failed: false,
        });
    }
}

/// Where a package file is for a direct read: the disk path natively, the URL in the browser
/// (the asset source's root is the packages' base URL there).
fn octree_location(
    library: &ExhibitLibrary,
    package: &disan_format::Package,
    file: &str,
) -> String {
    let root = std::path::absolute(&package.root).unwrap_or_else(|_| package.root.clone());
    if cfg!(target_family = "wasm") {
        let rel = root
            .strip_prefix(library.source_root())
            .unwrap_or(std::path::Path::new(""));
        library
            .source_root()
            .join(rel)
            .join(file)
            .to_string_lossy()
            .replace('\\', "/")
    } else {
        root.join(file).to_string_lossy().into_owned()
    }
}

fn track_indices(
    mut clouds: ResMut<PointClouds>,
    indices: Res<Assets<CloudIndex>>,
    assets: Res<AssetServer>,
    mut notices: MessageWriter<ContentNotice>,
    mut commands: Commands,
) {
    for cloud in &mut clouds.clouds {
        if cloud.index.is_some() || cloud.failed {
            continue;
        }
        if let Some(index) = indices.get(&cloud.handle) {
            cloud.index = Some(Arc::new(CloudIndex {
                metadata: index.metadata.clone(),
                hierarchy: index.hierarchy.clone(),
                node_hashes: index.node_hashes.clone(),
            }));
        } else if let Some(bevy::asset::LoadState::Failed(e)) = assets.get_load_state(&cloud.handle)
        {
            notices.write(ContentNotice {
                file: cloud.file.clone(),
                reason: format!(
                    "the point cloud \"{}\" is left out: {}",
                    cloud.id,
                    crate::loading::reason(&e)
                ),
            });
            cloud.failed = true;
            // Nothing to wait for: the exhibit shows what else it has.
            commands.entity(cloud.entity).insert(ModelSpawned);
        }
    }
}

/// A node's box in the exhibit's frame, as a sphere (centre, radius).
fn node_sphere(
    cloud_to_exhibit: &GlobalTransform,
    origin: [f64; 3],
    bounds: &disan_format::pointcloud::Bounds,
) -> (Vec3, f32) {
    let c = bounds.centre();
    let local = Vec3::new(
        (c[0] - origin[0]) as f32,
        (c[1] - origin[1]) as f32,
        (c[2] - origin[2]) as f32,
    );
    let size = bounds.size();
    let radius = (Vec3::new(size[0] as f32, size[1] as f32, size[2] as f32) * 0.5).length();
    (cloud_to_exhibit.transform_point(local), radius)
}

#[allow(clippy::too_many_arguments)]
fn choose_nodes(
    mut clouds: ResMut<PointClouds>,
    budget: Res<PointBudget>,
    cameras: Query<(Entity, &Camera, &GlobalTransform, &Frustum)>,
    transforms: Query<&GlobalTransform>,
    mut visibility: Query<&mut Visibility>,
    mut frame: Local<u64>,
    mut followed: Local<Option<Entity>>,
    mut commands: Commands,
) {
    *frame += 1;
    // The levels follow the sharpest active camera (in a headset, an eye).
    let Some(view) = crate::camera::sharpest_view(cameras.iter().map(|(e, c, t, _)| (e, c, t)))
    else {
        return;
    };
    if *followed != Some(view.camera) {
        *followed = Some(view.camera);
        info!(
            "point clouds: levels follow camera {} ({:.0} px per radian)",
            view.camera, view.px_per_rad
        );
    }
    let Ok((_, _, _, frustum)) = cameras.get(view.camera) else {
        return;
    };
    let (eye, px_per_rad) = (view.transform.translation(), view.px_per_rad);
    // Every cloud's candidates together, the largest on screen first. Sizes are positive, so
    // their bit patterns order as the numbers do.
    let mut queue: std::collections::BinaryHeap<(u32, usize, u32)> =
        std::collections::BinaryHeap::new();
    for (c, cloud) in clouds.clouds.iter().enumerate() {
        if cloud.index.is_some() {
            // The root always: it is the cloud's overview, and what the first picture waits for.
            queue.push((f32::INFINITY.to_bits(), c, 0));
        }
    }
    let mut wanted: Vec<Vec<u32>> = vec![Vec::new(); clouds.clouds.len()];
    let mut spent = 0u64;
    while let Some((_, c, n)) = queue.pop() {
        let cloud = &clouds.clouds[c];
        let (Some(index), Ok(to_exhibit)) = (&cloud.index, transforms.get(cloud.entity)) else {
            continue;
        };
        let node = &index.hierarchy.nodes[n as usize];
        if spent + u64::from(node.points) > budget.0 && n != 0 {
            continue;
        }
        spent += u64::from(node.points);
        wanted[c].push(n);
        for child in node.children.iter().flatten() {
            let child_node = &index.hierarchy.nodes[*child as usize];
            let (centre, radius) = node_sphere(to_exhibit, cloud.origin, &child_node.bounds);
            let sphere = Sphere {
                center: centre.into(),
                radius,
            };
            if !frustum.intersects_sphere(&sphere, true) {
                continue;
            }
            let distance = (centre - eye).length().max(radius * 0.25).max(0.01);
            let px = 2.0 * radius / distance * px_per_rad;
            if px >= MIN_NODE_PX {
                queue.push((px.to_bits(), c, *child));
            }
        }
    }
    let max_held = budget.0 * 2;
    let mut held = clouds.points_held();
    for (c, cloud) in clouds.clouds.iter_mut().enumerate() {
        let Some(index) = cloud.index.clone() else {
            continue;
        };
        let wanted_now = std::mem::take(&mut wanted[c]);
        // Reads for wanted nodes not yet held, the largest first.
        let in_flight = cloud
            .nodes
            .values()
            .filter(|n| matches!(n, NodeState::Loading(_)))
            .count();
        let mut free = MAX_LOADS_IN_FLIGHT.saturating_sub(in_flight);
        for &n in &wanted_now {
            if free == 0 {
                break;
            }
            if cloud.nodes.contains_key(&n) {
                continue;
            }
            let node = &index.hierarchy.nodes[n as usize];
            if node.points == 0 {
                continue;
            }
            let task = read_node(cloud.octree.clone(), index.clone(), n);
            cloud.nodes.insert(n, NodeState::Loading(task));
            free -= 1;
        }
        for (n, state) in &mut cloud.nodes {
            if let NodeState::Held {
                entity,
                shown,
                last_wanted,
                ..
            } = state
            {
                let want = wanted_now.contains(n);
                if want {
                    *last_wanted = *frame;
                }
                if want != *shown {
                    *shown = want;
                    if let Ok(mut v) = visibility.get_mut(*entity) {
                        *v = if want {
                            Visibility::Inherited
                        } else {
                            Visibility::Hidden
                        };
                    }
                }
            }
        }
        // Over twice the budget held: free the nodes unwanted longest.
        if held > max_held {
            let mut idle: Vec<(u64, u32, u64, Entity)> = cloud
                .nodes
                .iter()
                .filter_map(|(n, s)| match s {
                    NodeState::Held {
                        entity,
                        points,
                        shown: false,
                        last_wanted,
                        ..
                    } => Some((*last_wanted, *n, *points, *entity)),
                    _ => None,
                })
                .collect();
            idle.sort_unstable();
            for (_, n, points, entity) in idle {
                if held <= max_held {
                    break;
                }
                commands.entity(entity).despawn();
                cloud.nodes.remove(&n);
                held -= points;
            }
        }
        cloud.wanted = wanted_now;
    }
}

/// Reads and decodes one node off the main thread.
fn read_node(octree: String, index: Arc<CloudIndex>, n: u32) -> Task<Result<NodePoints, String>> {
    IoTaskPool::get().spawn(async move {
        let node = &index.hierarchy.nodes[n as usize];
        let bytes = crate::downloads::read_range(&octree, node.byte_offset, node.byte_size).await?;
        if disan_format::pointcloud::node_digest(&bytes) != index.node_hashes[n as usize] {
            return Err(format!(
                "its bytes differ from node-hashes.bin: octree.bin was changed or damaged after packing (node {})",
                node.name
            ));
        }
        decode_node(&index.metadata, node, &bytes).map_err(|e| e.to_string())
    })
}

#[allow(clippy::too_many_arguments)]
fn receive_nodes(
    mut clouds: ResMut<PointClouds>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut notices: MessageWriter<ContentNotice>,
    mut commands: Commands,
) {
    for cloud in &mut clouds.clouds {
        let Some(index) = cloud.index.clone() else {
            continue;
        };
        let mut arrived = Vec::new();
        for (n, state) in &mut cloud.nodes {
            if let NodeState::Loading(task) = state
                && let Some(result) = block_on(future::poll_once(task))
            {
                arrived.push((*n, result));
            }
        }
        for (n, result) in arrived {
            let node = &index.hierarchy.nodes[n as usize];
            let points = match result {
                Ok(p) => p,
                Err(reason) => {
                    notices.write(ContentNotice {
                        file: cloud.file.replace(
                            disan_format::pointcloud::METADATA_FILE,
                            disan_format::pointcloud::OCTREE_FILE,
                        ),
                        reason: format!(
                            "node {} of the point cloud \"{}\" is left out: {reason}",
                            node.name, cloud.id
                        ),
                    });
                    cloud.nodes.insert(n, NodeState::Failed);
                    if n == 0 {
                        cloud.failed = true;
                        commands.entity(cloud.entity).insert(ModelSpawned);
                    }
                    continue;
                }
            };
            let count = points.positions.len() as u64;
            let mesh = meshes.add(splat_mesh(&points));
            let min = node.bounds.min;
            let offset = Vec3::new(
                (min[0] - cloud.origin[0]) as f32,
                (min[1] - cloud.origin[1]) as f32,
                (min[2] - cloud.origin[2]) as f32,
            );
            let shown = cloud.wanted.contains(&n);
            let entity = commands
                .spawn((
                    Mesh3d(mesh),
                    MeshMaterial3d(cloud.materials[node.level as usize].clone()),
                    Transform::from_translation(offset),
                    if shown {
                        Visibility::Inherited
                    } else {
                        Visibility::Hidden
                    },
                    bevy::light::NotShadowCaster,
                    Name::new(format!("point cloud {} node {}", cloud.id, node.name)),
                    ChildOf(cloud.entity),
                ))
                .id();
            cloud.nodes.insert(
                n,
                NodeState::Held {
                    entity,
                    points: count,
                    shown,
                    size_level: node.level,
                    last_wanted: 0,
                },
            );
            if n == 0 {
                commands.entity(cloud.entity).insert(ModelSpawned);
            }
        }
    }
}

/// Four vertices a point (its corners, told apart in the colour's alpha) and two triangles.
fn splat_mesh(points: &NodePoints) -> Mesh {
    let n = points.positions.len();
    let mut positions = Vec::with_capacity(n * 4);
    let mut colours = Vec::with_capacity(n * 4);
    let mut indices = Vec::with_capacity(n * 6);
    for (i, (p, c)) in points.positions.iter().zip(&points.colours).enumerate() {
        for corner in 0..4u8 {
            positions.push(*p);
            colours.push([c[0], c[1], c[2], corner]);
        }
        let v = (i * 4) as u32;
        indices.extend_from_slice(&[v, v + 1, v + 2, v + 2, v + 1, v + 3]);
    }
    Mesh::new(
        PrimitiveTopology::TriangleList,
        // The points live on the GPU only: main memory holds the budget's worth once, there.
        RenderAssetUsages::RENDER_WORLD,
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
    .with_inserted_attribute(
        ATTRIBUTE_COLOUR_CORNER,
        bevy::mesh::VertexAttributeValues::Unorm8x4(colours),
    )
    .with_inserted_indices(Indices::U32(indices))
}

/// Adaptive point size: a node's splats take the spacing of the finest level drawn within its
/// region, so coarse points do not blot out the detail drawn over them.
fn size_points(
    mut clouds: ResMut<PointClouds>,
    mut materials: ResMut<Assets<PointMaterial>>,
    mut node_materials: Query<&mut MeshMaterial3d<PointMaterial>>,
    shading: Res<crate::eye_dome::PointShading>,
) {
    let marked = if crate::eye_dome::marks_points(*shading) {
        1.0
    } else {
        0.0
    };
    for cloud in &mut clouds.clouds {
        let Some(index) = cloud.index.clone() else {
            continue;
        };
        let spacing = index.metadata.spacing;
        for (level, handle) in cloud.materials.iter().enumerate() {
            let size =
                (spacing / f64::from(1u32 << level.min(31)) * f64::from(cloud.point_size)) as f32;
            let wanted = Vec4::new(size, MIN_POINT_PX, MAX_POINT_PX, marked);
            if materials.get(handle).is_some_and(|m| m.size == wanted) {
                continue;
            }
            if let Some(mut m) = materials.get_mut(handle) {
                m.size = wanted;
            }
        }
        // The deepest drawn level under each drawn node.
        let mut finest: HashMap<u32, u32> = HashMap::new();
        for &n in &cloud.wanted {
            let level = index.hierarchy.nodes[n as usize].level;
            if !matches!(cloud.nodes.get(&n), Some(NodeState::Held { .. })) {
                continue;
            }
            let mut at = Some(n);
            while let Some(a) = at {
                let e = finest.entry(a).or_insert(level);
                *e = (*e).max(level);
                at = index.hierarchy.nodes[a as usize].parent;
            }
        }
        for (n, state) in &mut cloud.nodes {
            if let NodeState::Held {
                entity,
                size_level,
                shown: true,
                ..
            } = state
            {
                // At most one level finer than its own: where only a small part of a coarse
                // node's region is refined, its other points would otherwise leave gaps.
                let own = index.hierarchy.nodes[*n as usize].level;
                let level = finest.get(n).copied().unwrap_or(own).min(own + 1);
                if level != *size_level
                    && let Ok(mut m) = node_materials.get_mut(*entity)
                {
                    *size_level = level;
                    m.0 = cloud.materials[level as usize].clone();
                }
            }
        }
    }
}

/// Says, once each time the view's nodes have all arrived, what is drawn: for staff reading a
/// kiosk's log, and for the tests (in a headset, where no `disan shot` reports it).
fn report_settled(clouds: Res<PointClouds>, mut last: Local<Option<(u64, usize)>>) {
    if clouds.clouds.is_empty() || !clouds.settled() {
        return;
    }
    let now = (clouds.points_shown(), clouds.nodes_shown());
    if *last != Some(now) {
        *last = Some(now);
        info!(
            "point clouds: {} points drawn in {} nodes (deepest level {}), the view's nodes all in",
            now.0,
            now.1,
            clouds.deepest_level_shown()
        );
    }
}
