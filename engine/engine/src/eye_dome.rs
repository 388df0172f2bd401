//! Eye-dome lighting (EDL) for point clouds (shaders/eye_dome.wgsl): a laser scan has no
//! normals to light, so each point is shaded by how far it lies behind its neighbours on screen,
//! as Potree does. Silhouettes get a dark rim and hollows darken, which is what makes a carved
//! doorway or a roof's eaves readable in millions of flat-coloured points.
//!
//! How it fits the renderer, the same way natively, in the browser and per eye in a headset:
//! the splats are drawn in the main pass like any mesh (so meshes and points hide each other by
//! depth), writing alpha 0 into the colour target where everything else writes 1. A full-screen
//! pass after the main pass reads the colour target and the view's own depth buffer, shades the
//! pixels beside points, and writes alpha 1 back. Reading depth needs the depth texture bindable
//! (each camera's `depth_texture_usages`), and WebGL2 cannot read a multisampled one, so on the
//! GL backend a view that draws a cloud is drawn without MSAA.
//!
//! Only cameras showing an exhibit with clouds carry [`EyeDomeLighting`]; the others pay nothing.

use bevy::asset::uuid_handle;
use bevy::core_pipeline::{Core3dSystems, FullscreenShader, schedule::Core3d};
use bevy::prelude::*;
use bevy::render::{
    Render, RenderApp, RenderStartup, RenderSystems,
    extract_component::{
        ComponentUniforms, DynamicUniformIndex, ExtractComponent, ExtractComponentPlugin,
        UniformComponentPlugin,
    },
    render_resource::{
        binding_types::{sampler, texture_2d, texture_2d_multisampled, uniform_buffer},
        *,
    },
    renderer::{RenderAdapterInfo, RenderContext, ViewQuery},
    view::{ExtractedView, ViewDepthTexture, ViewTarget},
};

use crate::pointcloud::PointClouds;

const SHADER: Handle<Shader> = uuid_handle!("3f6b2d8e-91a4-4c57-8e0d-2b7a6c5f1e48");

/// How points are shaded (`--point-shading`, `?point-shading=`).
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PointShading {
    /// Eye-dome lighting: outlines and hollows, as Potree draws scans.
    #[default]
    EyeDome,
    /// Flat discs darkened towards their rims: for a GPU that cannot spare a full-screen pass,
    /// and to compare against.
    Flat,
}

impl PointShading {
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "edl" => Some(Self::EyeDome),
            "flat" => Some(Self::Flat),
            _ => None,
        }
    }
}

/// On a camera: shade the points it draws by eye-dome lighting. The uniform the pass reads.
#[derive(Component, Clone, Copy, ExtractComponent, ShaderType)]
pub struct EyeDomeLighting {
    /// How dark a step in depth makes a point (Potree's `edlStrength`).
    pub strength: f32,
    /// How far the neighbours are, in pixels.
    pub radius: f32,
    padding: Vec2,
}

impl Default for EyeDomeLighting {
    /// Potree's defaults, which its users know the look of.
    fn default() -> Self {
        Self {
            strength: 1.0,
            radius: 1.4,
            padding: Vec2::ZERO,
        }
    }
}

/// The multisampling a camera had before eye-dome lighting turned it off (GL backend only).
#[derive(Component)]
struct MsaaBeforeEyeDome(Msaa);

pub(super) fn plugin(app: &mut App) {
    crate::register_shader(
        app,
        &SHADER,
        include_str!("../../../shaders/eye_dome.wgsl"),
        "shaders/eye_dome.wgsl",
    );
    let shading = app
        .world()
        .get_resource::<crate::ViewerConfig>()
        .map(|c| c.point_shading)
        .unwrap_or_default();
    app.insert_resource(shading)
        .add_plugins((
            ExtractComponentPlugin::<EyeDomeLighting>::default(),
            UniformComponentPlugin::<EyeDomeLighting>::default(),
        ))
        .add_systems(PostUpdate, light_cloud_views);

    let Some(render_app) = app.get_sub_app_mut(RenderApp) else {
        return;
    };
    render_app
        .init_resource::<SpecializedRenderPipelines<EyeDomePipeline>>()
        .add_systems(RenderStartup, init_pipeline)
        .add_systems(Render, prepare_pipelines.in_set(RenderSystems::Prepare))
        .add_systems(Core3d, eye_dome.in_set(Core3dSystems::EarlyPostProcess));
}

/// Whether the splats should mark themselves for the pass (alpha 0): only where it runs, or
/// their pixels would reach the screen transparent.
pub fn marks_points(shading: PointShading) -> bool {
    shading == PointShading::EyeDome
}

/// Every 3D camera (the desktop one, or each eye's in a headset) carries the lighting while the
/// exhibit has a cloud, and not otherwise.
fn light_cloud_views(
    mut commands: Commands,
    clouds: Res<PointClouds>,
    shading: Res<PointShading>,
    adapter: Option<Res<RenderAdapterInfo>>,
    mut cameras: Query<(
        Entity,
        &mut Camera3d,
        &mut Msaa,
        Has<EyeDomeLighting>,
        Option<&MsaaBeforeEyeDome>,
    )>,
) {
    let wanted = marks_points(*shading) && !clouds.clouds.is_empty();
    // WebGL2 (and native GL) cannot sample a multisampled depth texture.
    let gl = adapter.is_some_and(|a| a.backend == wgpu_types::Backend::Gl);
    let mut turned_on = 0;
    for (camera, mut camera_3d, mut msaa, lit, saved) in &mut cameras {
        if wanted && !lit {
            turned_on += 1;
            camera_3d.depth_texture_usages.0 |= TextureUsages::TEXTURE_BINDING.bits();
            let mut entity = commands.entity(camera);
            entity.insert(EyeDomeLighting::default());
            if gl && *msaa != Msaa::Off {
                entity.insert(MsaaBeforeEyeDome(*msaa));
                *msaa = Msaa::Off;
            }
        } else if !wanted && lit {
            let mut entity = commands.entity(camera);
            entity.remove::<EyeDomeLighting>();
            if let Some(MsaaBeforeEyeDome(before)) = saved {
                *msaa = *before;
                entity.remove::<MsaaBeforeEyeDome>();
            }
        }
    }
    if turned_on > 0 {
        // Tests read it: in a headset, each eye's camera is lit.
        info!("eye-dome lighting on for {turned_on} camera(s)");
    }
}

#[derive(Resource)]
struct EyeDomePipeline {
    /// Nearest: depth is never filtered (see the shader).
    nearest: Sampler,
    layout: BindGroupLayoutDescriptor,
    layout_multisampled: BindGroupLayoutDescriptor,
    fullscreen: FullscreenShader,
}

fn init_pipeline(
    mut commands: Commands,
    fullscreen: Res<FullscreenShader>,
    device: Res<bevy::render::renderer::RenderDevice>,
) {
    let entries = |multisampled: bool| {
        let depth = if multisampled {
            texture_2d_multisampled(TextureSampleType::Float { filterable: false })
        } else {
            texture_2d(TextureSampleType::Float { filterable: false })
        };
        BindGroupLayoutEntries::sequential(
            ShaderStages::FRAGMENT,
            (
                texture_2d(TextureSampleType::Float { filterable: false }),
                depth,
                uniform_buffer::<EyeDomeLighting>(true),
                sampler(SamplerBindingType::NonFiltering),
            ),
        )
    };
    commands.insert_resource(EyeDomePipeline {
        nearest: device.create_sampler(&SamplerDescriptor::default()),
        layout: BindGroupLayoutDescriptor::new("eye_dome_layout", &entries(false)),
        layout_multisampled: BindGroupLayoutDescriptor::new(
            "eye_dome_layout_multisampled",
            &entries(true),
        ),
        fullscreen: fullscreen.clone(),
    });
}

#[derive(PartialEq, Eq, Hash, Clone, Copy)]
struct EyeDomeKey {
    format: TextureFormat,
    multisampled: bool,
}

impl SpecializedRenderPipeline for EyeDomePipeline {
    type Key = EyeDomeKey;

    fn specialize(&self, key: Self::Key) -> RenderPipelineDescriptor {
        let mut shader_defs = Vec::new();
        let layout = if key.multisampled {
            shader_defs.push("MULTISAMPLED".into());
            self.layout_multisampled.clone()
        } else {
            self.layout.clone()
        };
        RenderPipelineDescriptor {
            label: Some("eye_dome_pipeline".into()),
            layout: vec![layout],
            vertex: self.fullscreen.to_vertex_state(),
            fragment: Some(FragmentState {
                shader: SHADER,
                shader_defs,
                targets: vec![Some(ColorTargetState {
                    format: key.format,
                    blend: None,
                    write_mask: ColorWrites::ALL,
                })],
                ..default()
            }),
            ..default()
        }
    }
}

#[derive(Component)]
struct EyeDomePipelineId(CachedRenderPipelineId);

fn prepare_pipelines(
    mut commands: Commands,
    cache: Res<PipelineCache>,
    mut pipelines: ResMut<SpecializedRenderPipelines<EyeDomePipeline>>,
    pipeline: Option<Res<EyeDomePipeline>>,
    views: Query<(Entity, &ExtractedView, &Msaa), With<EyeDomeLighting>>,
) {
    let Some(pipeline) = pipeline else {
        return;
    };
    for (view, extracted, msaa) in &views {
        let id = pipelines.specialize(
            &cache,
            &pipeline,
            EyeDomeKey {
                format: extracted.target_format,
                multisampled: msaa.samples() > 1,
            },
        );
        commands.entity(view).insert(EyeDomePipelineId(id));
    }
}

fn eye_dome(
    view: ViewQuery<(
        &ViewTarget,
        &ViewDepthTexture,
        &EyeDomePipelineId,
        &DynamicUniformIndex<EyeDomeLighting>,
        &Msaa,
    )>,
    pipeline: Option<Res<EyeDomePipeline>>,
    cache: Res<PipelineCache>,
    uniforms: Res<ComponentUniforms<EyeDomeLighting>>,
    mut ctx: RenderContext,
) {
    let (target, depth, pipeline_id, uniform_index, msaa) = view.into_inner();
    let (Some(pipeline), Some(render_pipeline), Some(uniform)) = (
        pipeline,
        cache.get_render_pipeline(pipeline_id.0),
        uniforms.uniforms().binding(),
    ) else {
        return;
    };
    let layout = if msaa.samples() > 1 {
        &pipeline.layout_multisampled
    } else {
        &pipeline.layout
    };
    let post_process = target.post_process_write();
    let bind_group = ctx.render_device().create_bind_group(
        Some("eye_dome_bind_group"),
        &cache.get_bind_group_layout(layout),
        &BindGroupEntries::sequential((
            post_process.source,
            depth.view(),
            uniform,
            &pipeline.nearest,
        )),
    );
    let mut pass = ctx
        .command_encoder()
        .begin_render_pass(&RenderPassDescriptor {
            label: Some("eye_dome"),
            color_attachments: &[Some(RenderPassColorAttachment {
                view: post_process.destination,
                depth_slice: None,
                resolve_target: None,
                ops: Operations::default(),
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
    pass.set_pipeline(render_pipeline);
    pass.set_bind_group(0, &bind_group, &[uniform_index.index()]);
    pass.draw(0..3, 0..1);
}
