// Point cloud splats (engine/engine/src/pointcloud.rs): each point is four vertices at the same
// place, told apart by the corner index in the colour's alpha; the vertex shader spreads them
// into a square facing the camera, sized by the point's level spacing in metres (so splats
// shrink with distance like the surface they sample), clamped to a pixel range. The fragment
// shader cuts the square into a disc. With eye-dome lighting (shaders/eye_dome.wgsl) the disc is
// flat and marked with alpha 0 for that pass to shade; with flat shading it is darkened towards
// its rim, which gives overlapping splats some sense of depth.

#import bevy_pbr::mesh_functions::{get_world_from_local, mesh_position_local_to_world}
#import bevy_pbr::view_transformations::position_world_to_clip
#import bevy_pbr::mesh_view_bindings::view

// x: splat diameter in metres; y, z: its smallest and largest size in pixels; w: 1 where the
// eye-dome pass shades the points.
@group(#{MATERIAL_BIND_GROUP}) @binding(0) var<uniform> size: vec4<f32>;

struct Vertex {
    @builtin(instance_index) instance_index: u32,
    @location(0) position: vec3<f32>,
    @location(1) colour_corner: vec4<f32>,
};

struct VertexOutput {
    @builtin(position) clip_position: vec4<f32>,
    @location(0) colour: vec3<f32>,
    @location(1) corner: vec2<f32>,
};

fn srgb_to_linear(c: vec3<f32>) -> vec3<f32> {
    let low = c / 12.92;
    let high = pow((c + 0.055) / 1.055, vec3<f32>(2.4));
    return select(high, low, c <= vec3<f32>(0.04045));
}

@vertex
fn vertex(v: Vertex) -> VertexOutput {
    var out: VertexOutput;
    let world = mesh_position_local_to_world(get_world_from_local(v.instance_index), vec4<f32>(v.position, 1.0));
    var clip = position_world_to_clip(world.xyz);
    let id = u32(round(v.colour_corner.a * 255.0));
    let corner = vec2<f32>(f32(id & 1u) * 2.0 - 1.0, f32((id >> 1u) & 1u) * 2.0 - 1.0);
    // Pixels per metre at this depth: the projection's focal length in pixels over the depth.
    let focal_px = view.clip_from_view[1][1] * view.viewport.w * 0.5;
    let px = clamp(size.x * focal_px / max(clip.w, 1e-4), size.y, size.z);
    // Half the splat each way, in clip space (NDC spans 2 over the viewport's pixels).
    clip.x += corner.x * px / view.viewport.z * clip.w;
    clip.y += corner.y * px / view.viewport.w * clip.w;
    out.clip_position = clip;
    out.colour = srgb_to_linear(v.colour_corner.rgb);
    out.corner = corner;
    return out;
}

@fragment
fn fragment(in: VertexOutput) -> @location(0) vec4<f32> {
    let r2 = dot(in.corner, in.corner);
    if r2 > 1.0 {
        discard;
    }
    if size.w > 0.5 {
        return vec4<f32>(in.colour, 0.0);
    }
    // Lit as a small sphere seen head-on: full at the centre, 65 % at the rim.
    let shade = mix(1.0, 0.65, r2);
    return vec4<f32>(in.colour * shade, 1.0);
}
