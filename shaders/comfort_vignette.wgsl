// The VR comfort vignette: darkens the edges of the view while the visitor moves (smooth
// locomotion, turns), so the eyes' periphery, which is most sensitive to vection, sees less
// motion. At full strength it covers the whole view: the fade of teleports and tour stops.
//
// Drawn on a quad held just in front of the head; uv (0,0)–(1,1) spans the field of view.

#import bevy_pbr::forward_io::VertexOutput

// x: strength 0–1; y: softness of the edge (in units of the view's radius); z, w: unused.
@group(#{MATERIAL_BIND_GROUP}) @binding(0) var<uniform> params: vec4<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(1) var<uniform> tint: vec4<f32>;

@fragment
fn fragment(mesh: VertexOutput) -> @location(0) vec4<f32> {
    let strength = clamp(params.x, 0.0, 1.0);
    // 0 at the centre of the view, 1 at the middle of its edges.
    let d = length(mesh.uv - vec2<f32>(0.5, 0.5)) * 2.0;
    // The clear centre shrinks as strength grows: nothing darkened at 0, all of it at 1.
    let clear = mix(1.5, -params.y, strength);
    let a = smoothstep(clear, clear + params.y, d);
    return vec4<f32>(tint.rgb, a * tint.a);
}
