// Eye-dome lighting for point clouds (engine/engine/src/eye_dome.rs), after Boucheny's EDL as
// Potree draws it: a point is shaded by how far it lies behind the points around it on screen,
// which outlines each silhouette and darkens every hollow, with no normals (scans have none).
//
// The main pass has drawn the cloud's splats with alpha 0 into the view's colour target and their
// depth into the view's depth buffer; everything else there has alpha 1. This pass reads both and
// writes the colour back shaded, alpha 1.

#import bevy_core_pipeline::fullscreen_vertex_shader::FullscreenVertexOutput

@group(0) @binding(0) var colour: texture_2d<f32>;
#ifdef MULTISAMPLED
@group(0) @binding(1) var depth: texture_multisampled_2d<f32>;
#else
@group(0) @binding(1) var depth: texture_2d<f32>;
#endif
// Nearest, never filtering: OpenGL ES (WebGL2) cannot texelFetch a depth texture (it reads 0
// there), but it can sample one with a non-filtering sampler.
@group(0) @binding(3) var nearest: sampler;

struct EyeDome {
    // How dark a step in depth makes a point (Potree's edlStrength; 1 by default).
    strength: f32,
    // How far the neighbours are, in pixels (Potree's 1.4 at a 1080-line screen).
    radius: f32,
    // WebGL2 wants uniforms in 16-byte blocks.
    padding: vec2<f32>,
};
@group(0) @binding(2) var<uniform> settings: EyeDome;

fn depth_at(p: vec2<i32>) -> f32 {
#ifdef MULTISAMPLED
    return textureLoad(depth, p, 0).r;
#else
    let size = vec2<f32>(textureDimensions(depth));
    return textureSampleLevel(depth, nearest, (vec2<f32>(p) + 0.5) / size, 0.0).r;
#endif
}

// Bevy's projection is reverse-Z with an infinite far plane: the stored depth is near / z, so
// -log2(depth) is log2(z) less a constant, and differences of it are differences of log2(z),
// which is what EDL compares (a step of 1 % in distance reads the same near and far).
fn log_distance(stored: f32) -> f32 {
    return -log2(stored);
}

fn is_cloud(p: vec2<i32>) -> bool {
    return textureLoad(colour, p, 0).a < 0.5;
}

@fragment
fn fragment(in: FullscreenVertexOutput) -> @location(0) vec4<f32> {
    let size = vec2<i32>(textureDimensions(colour));
    let p = vec2<i32>(floor(in.position.xy));
    let here = textureLoad(colour, p, 0);
    let d = depth_at(p);
    var sum = 0.0;
    for (var i = 0; i < 8; i++) {
        let angle = f32(i) * 0.7853982;
        let offset = vec2<i32>(round(vec2<f32>(cos(angle), sin(angle)) * settings.radius));
        let q = clamp(p + offset, vec2<i32>(0), size - vec2<i32>(1));
        // Only points cast shade: a mesh or the sky beside a point does not darken it.
        if !is_cloud(q) {
            continue;
        }
        if d <= 0.0 {
            // Nothing drawn here (the cleared far plane) beside a point: the silhouette's rim.
            sum += 100.0;
        } else {
            sum += max(0.0, log_distance(d) - log_distance(depth_at(q)));
        }
    }
    let shade = exp(-sum / 8.0 * 300.0 * settings.strength);
    return vec4<f32>(here.rgb * shade, 1.0);
}
