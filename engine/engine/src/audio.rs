//! The exhibit's sound: positional ambience placed in the exhibit and heard from the camera
//! (Disan's spatial voices, Web Audio gain laws), and narration (a tour stop's, or an open
//! hotspot's), which ducks the ambience. Only sounds that loaded and decode are played (the
//! loading plugin checks each one and leaves out, with a notice, those that do not).
//!
//! The gains are computed here each frame from the camera and written to each voice through
//! atomics; the audio thread only reads them and glides (see `disan_audio::voice`), so nothing
//! on the audio path ever waits for a lock.

use bevy::audio::{AddAudioSource, AudioSource, Decodable, Source};
use bevy::prelude::*;
use disan_audio::gains::{Cone, DistanceModel as Model, Listener, SourceSpec};
use disan_audio::{SpatialVoice, VoiceControl};
use disan_format::DistanceModel;

use crate::camera::ViewerCamera;
use crate::hotspots::OpenHotspot;
use crate::i18n::Language;
use crate::library::{ExhibitLibrary, ExhibitReset};
use crate::loading::ExhibitLoad;
use crate::tour::{ActiveTour, PlayState};
use crate::{ExhibitScoped, ViewerState};

pub(super) fn plugin(app: &mut App) {
    app.add_audio_source::<SpatialSound>()
        .init_resource::<NarrationNow>()
        .init_resource::<MasterVolume>()
        .add_systems(ExhibitReset, |mut now: ResMut<NarrationNow>| {
            *now = NarrationNow::default()
        })
        .add_systems(OnEnter(ViewerState::Exhibit), load_ambience)
        .add_systems(
            Update,
            (start_ambience_when_loaded, play_narration, place_voices)
                .chain()
                .run_if(in_state(ViewerState::Exhibit)),
        );
}

/// A clip played through a [`SpatialVoice`] whose gains the engine sets. Every exhibit sound,
/// narration included, plays this way: a file that cannot be decoded stays silent with an error
/// naming it (bevy_audio's own decoder would panic, and a kiosk must not die of a bad file).
#[derive(Asset, TypePath, Clone)]
pub struct SpatialSound {
    clip: AudioSource,
    control: VoiceControl,
    looped: bool,
    /// The file, for messages.
    name: String,
}

impl Decodable for SpatialSound {
    type Decoder = SpatialVoice<Box<dyn Source + Send>>;

    fn decoder(&self) -> Self::Decoder {
        let builder = rodio::Decoder::builder()
            .with_byte_len(self.clip.bytes.len() as u64)
            .with_data(std::io::Cursor::new(self.clip.clone()));
        let decoded: Result<Box<dyn Source + Send>, _> = if self.looped {
            builder
                .build_looped()
                .map(|d| Box::new(d) as Box<dyn Source + Send>)
        } else {
            builder
                .build()
                .map(|d| Box::new(d) as Box<dyn Source + Send>)
        };
        let input = decoded.unwrap_or_else(|e| {
            error!("{}: cannot be decoded as sound ({e}); it stays silent. Re-export it as OGG Vorbis, WAV or MP3.", self.name);
            Box::new(rodio::source::Empty::new())
        });
        SpatialVoice::new(input, &self.control)
    }
}

/// Where the visitor hears from. The desktop camera carries it; in a headset the eye cameras do
/// (their average is the head), so sound follows the visitor's head.
#[derive(Component, Default)]
pub struct AudioListener;

/// An exhibit sound source: where it is, how it falls off, and its voice's control.
#[derive(Component)]
pub struct ExhibitSound {
    spec: SourceSpec,
    /// Ambient beds have no position: the same gain in both ears.
    positional: bool,
    clip: Handle<AudioSource>,
    looped: bool,
    control: VoiceControl,
    started: bool,
    /// Ambience is lowered under narration; narration is not.
    ducks: bool,
    name: String,
}

/// A voice fed by another plugin rather than from a clip (a video's sound): placed from the
/// camera like the exhibit's sounds, and, while `playing`, ducking the ambience as narration
/// does.
#[derive(Component)]
pub struct ExternalVoice {
    /// Where it sounds from, or `None` around the visitor (a 360° video).
    pub position: Option<Vec3>,
    pub volume: f32,
    pub control: VoiceControl,
    pub playing: bool,
}

/// How much narration lowers the ambience (about −9 dB), so the voice is always understood.
pub const DUCK_UNDER_NARRATION: f32 = 0.35;

/// A sound without a position: heard the same in both ears.
const CENTRED: SourceSpec = SourceSpec {
    position: [0.0; 3],
    orientation: [0.0; 3],
    model: Model::Inverse,
    ref_distance: 1.0,
    max_distance: 10_000.0,
    rolloff: 0.0,
    cone: Cone::OMNI,
    volume: 1.0,
};

fn model(m: DistanceModel) -> Model {
    match m {
        DistanceModel::Linear => Model::Linear,
        DistanceModel::Inverse => Model::Inverse,
        DistanceModel::Exponential => Model::Exponential,
    }
}

/// Whether a sound file decodes (its headers, and its first samples): `Ok` with its length
/// where the decoder knows it, or the reason, in words for staff.
pub fn check_decodes(clip: &AudioSource) -> Result<Option<f32>, String> {
    let decoder = rodio::Decoder::builder()
        .with_byte_len(clip.bytes.len() as u64)
        .with_data(std::io::Cursor::new(clip.clone()))
        .build()
        .map_err(|e| {
            format!("cannot be decoded as sound ({e}): export it again as OGG Vorbis, WAV or MP3")
        })?;
    let seconds = decoder.total_duration().map(|d| d.as_secs_f32());
    let mut samples = decoder.peekable();
    if samples.peek().is_none() {
        return Err("holds no sound (no samples could be decoded): export it again as OGG Vorbis, WAV or MP3".into());
    }
    Ok(seconds)
}

fn load_ambience(library: Res<ExhibitLibrary>, load: Res<ExhibitLoad>, mut commands: Commands) {
    let Some(package) = library.current_package() else {
        return;
    };
    for a in &package.manifest.audio {
        let Some(clip) = load.playable_sound(&a.src) else {
            continue;
        };
        let spec = SourceSpec {
            position: a.position.unwrap_or([0.0; 3]),
            orientation: a.cone.as_ref().map_or([0.0; 3], |c| c.direction),
            model: model(a.distance_model),
            ref_distance: a.ref_distance,
            max_distance: a.max_distance,
            rolloff: a.rolloff,
            cone: a.cone.as_ref().map_or(Cone::OMNI, |c| Cone {
                inner_deg: c.inner_deg,
                outer_deg: c.outer_deg,
                outer_gain: c.outer_gain,
            }),
            volume: a.volume,
        };
        commands.spawn((
            ExhibitSound {
                spec,
                positional: a.position.is_some(),
                clip: clip.clone(),
                looped: a.looped,
                control: VoiceControl::new(0.0, 0.0),
                started: false,
                ducks: true,
                name: package.file(&a.src).display().to_string(),
            },
            ExhibitScoped,
        ));
    }
}

fn start_ambience_when_loaded(
    mut sounds: Query<(Entity, &mut ExhibitSound)>,
    clips: Res<Assets<AudioSource>>,
    mut spatial: ResMut<Assets<SpatialSound>>,
    mut commands: Commands,
) {
    for (entity, mut sound) in &mut sounds {
        if sound.started {
            continue;
        }
        let Some(clip) = clips.get(&sound.clip) else {
            continue;
        };
        let handle = spatial.add(SpatialSound {
            clip: clip.clone(),
            control: sound.control.clone(),
            looped: sound.looped,
            name: sound.name.clone(),
        });
        // Looping is the decoder's (seamless); bevy_audio's LOOP would re-decode a broken file
        // every frame.
        let settings = if sound.looped {
            PlaybackSettings::ONCE
        } else {
            PlaybackSettings::DESPAWN
        };
        // `try_`: a switch of exhibit may have despawned it this frame.
        commands
            .entity(entity)
            .try_insert((AudioPlayer::<SpatialSound>(handle), settings));
        sound.started = true;
    }
}

/// Which narration should be heard: a tour stop's (restarted when `starts` changes), else the
/// open hotspot's.
#[derive(Clone, Debug, PartialEq)]
enum NarrationKey {
    TourStop {
        tour: String,
        stop: usize,
        lang: Language,
        starts: u32,
    },
    Hotspot {
        id: String,
        lang: Language,
    },
}

/// The narration playing, so it is replaced when the stop, the hotspot or the language changes.
#[derive(Resource, Default)]
struct NarrationNow {
    key: Option<NarrationKey>,
}

#[derive(Component)]
struct Narration;

#[allow(clippy::too_many_arguments)]
fn play_narration(
    active: Res<ActiveTour>,
    open: Res<OpenHotspot>,
    library: Res<ExhibitLibrary>,
    load: Res<ExhibitLoad>,
    lang: Res<Language>,
    mut now: ResMut<NarrationNow>,
    playing: Query<(Entity, Option<&AudioSink>), With<Narration>>,
    mut commands: Commands,
) {
    let Some(package) = library.current_package() else {
        return;
    };
    let manifest = &package.manifest;
    let wanted = match active.0.as_ref() {
        Some(t) => (t.clock.state != PlayState::Finished).then(|| NarrationKey::TourStop {
            tour: t.tour.clone(),
            stop: t.clock.stop,
            lang: *lang,
            starts: t.starts,
        }),
        None => open
            .in_exhibit(manifest)
            .filter(|h| !h.narration.is_empty())
            .map(|h| NarrationKey::Hotspot {
                id: h.id.clone(),
                lang: *lang,
            }),
    };
    if wanted != now.key {
        for (e, _) in &playing {
            commands.entity(e).despawn();
        }
        now.key = wanted.clone();
        let path = match &wanted {
            Some(NarrationKey::TourStop {
                tour, stop, lang, ..
            }) => manifest
                .tour(tour)
                .and_then(|t| t.stops.get(*stop))
                .and_then(|s| s.narration.get(lang.code())),
            Some(NarrationKey::Hotspot { id, lang }) => manifest
                .hotspot(id)
                .and_then(|h| h.narration.get(lang.code())),
            None => None,
        };
        let Some(path) = path else { return };
        let Some(clip) = load.playable_sound(path) else {
            return;
        };
        commands.spawn((
            ExhibitSound {
                spec: SourceSpec {
                    volume: 1.0,
                    ..CENTRED
                },
                positional: false,
                clip: clip.clone(),
                looped: false,
                control: VoiceControl::new(0.0, 0.0),
                started: false,
                ducks: false,
                name: package.file(path).display().to_string(),
            },
            Narration,
            ExhibitScoped,
        ));
        return;
    }
    let paused = active
        .0
        .as_ref()
        .is_some_and(|t| t.clock.state == PlayState::Paused);
    for (_, sink) in &playing {
        if let Some(sink) = sink {
            if paused && !sink.is_paused() {
                sink.pause();
            } else if !paused && sink.is_paused() {
                sink.play();
            }
        }
    }
}

/// The loudness of everything the exhibit plays, 0–1: lowered by a kiosk's attract loop,
/// silenced while it is closed.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct MasterVolume(pub f32);

impl Default for MasterVolume {
    fn default() -> Self {
        Self(1.0)
    }
}

fn place_voices(
    listeners: Query<&GlobalTransform, With<AudioListener>>,
    master: Res<MasterVolume>,
    camera: Query<&GlobalTransform, With<ViewerCamera>>,
    sounds: Query<&ExhibitSound>,
    narration: Query<(), With<Narration>>,
    external: Query<&ExternalVoice>,
    active: Res<ActiveTour>,
) {
    let heads: Vec<&GlobalTransform> = if listeners.is_empty() {
        camera.iter().collect()
    } else {
        listeners.iter().collect()
    };
    let Some(first) = heads.first() else { return };
    let position = heads.iter().map(|t| t.translation()).sum::<Vec3>() / heads.len() as f32;
    let listener = Listener {
        position: position.to_array(),
        forward: first.forward().to_array(),
        up: first.up().to_array(),
    };
    // A tour's narration ducks while the tour plays; a hotspot's while it is heard.
    let narrating = !narration.is_empty()
        && active
            .0
            .as_ref()
            .is_none_or(|t| t.clock.state == PlayState::Playing);
    let narrating = narrating || external.iter().any(|v| v.playing);
    for voice in &external {
        match voice.position {
            Some(p) => voice.control.place(
                &SourceSpec {
                    position: p.to_array(),
                    volume: voice.volume,
                    // A screen is heard from across a courtyard: the gentle inverse law.
                    rolloff: 1.0,
                    ref_distance: 2.0,
                    ..CENTRED
                },
                &listener,
                master.0,
            ),
            None => {
                let g = voice.volume * master.0 * std::f32::consts::FRAC_1_SQRT_2;
                voice.control.set_gains(g, g);
            }
        }
    }
    for sound in &sounds {
        let duck = master.0
            * if narrating && sound.ducks {
                DUCK_UNDER_NARRATION
            } else {
                1.0
            };
        if sound.positional {
            sound.control.place(&sound.spec, &listener, duck);
        } else {
            let g = sound.spec.volume * duck * std::f32::consts::FRAC_1_SQRT_2;
            sound.control.set_gains(g, g);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use disan_audio::mix_offline;
    use disan_format::{open_package, parse_vtt};

    use super::*;
    use crate::tour::stop_seconds;

    fn exhibit(name: &str) -> disan_format::Package {
        open_package(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../exhibits")
                .join(name),
        )
        .unwrap()
    }

    /// The committed OGG, decoded by Bevy's own decoder, as mono samples and their rate.
    fn decode(
        package: &disan_format::Package,
        file: &disan_format::PackagePath,
    ) -> (Vec<f32>, u32) {
        let clip = AudioSource {
            bytes: std::fs::read(package.file(file)).unwrap().into(),
        };
        let decoder = clip.decoder();
        let (channels, rate) = (
            decoder.channels().get() as usize,
            decoder.sample_rate().get(),
        );
        let samples: Vec<f32> = decoder.collect();
        (
            samples
                .chunks(channels)
                .map(|c| c.iter().sum::<f32>() / channels as f32)
                .collect(),
            rate,
        )
    }

    fn rms(s: &[f32]) -> f32 {
        (s.iter().map(|x| x * x).sum::<f32>() / s.len().max(1) as f32).sqrt()
    }

    #[test]
    fn an_ambience_plays_through_a_spatial_voice_from_its_side() {
        let package = exhibit("trong-dong");
        let water = &package.manifest.audio[0];
        let clip = AudioSource {
            bytes: std::fs::read(package.file(&water.src)).unwrap().into(),
        };
        let control = VoiceControl::new(0.0, 0.0);
        let spec = SourceSpec {
            position: water.position.unwrap(),
            orientation: [0.0; 3],
            model: Model::Inverse,
            ref_distance: water.ref_distance,
            max_distance: water.max_distance,
            rolloff: water.rolloff,
            cone: Cone::OMNI,
            volume: water.volume,
        };
        // A visitor in front of the drum, looking at it: the water is on the left.
        let listener = Listener {
            position: [0.0, 1.2, 1.5],
            forward: [0.0, -0.5, -1.0],
            up: [0.0, 1.0, 0.0],
        };
        control.place(&spec, &listener, 1.0);
        let sound = SpatialSound {
            clip,
            control,
            looped: true,
            name: "water.ogg".into(),
        };
        let mut voices = [sound.decoder()];
        let rate = voices[0].sample_rate().get() as usize;
        // Twelve seconds: longer than the clip, so the loop must carry on.
        let out = mix_offline(&mut voices, 12 * rate, 1024, |_| {});
        let left: Vec<f32> = out.iter().step_by(2).copied().collect();
        let right: Vec<f32> = out.iter().skip(1).step_by(2).copied().collect();
        assert!(rms(&left) > 0.02, "the water is heard ({})", rms(&left));
        assert!(
            rms(&left) > 1.5 * rms(&right),
            "from the left: {} vs {}",
            rms(&left),
            rms(&right)
        );
        assert!(
            rms(&left[11 * rate..]) > 0.01,
            "still playing after the clip's end: it loops"
        );
    }

    #[test]
    fn a_broken_sound_file_stays_silent_instead_of_crashing() {
        let clip = AudioSource {
            bytes: b"OggS\0 this export was cut short".to_vec().into(),
        };
        let sound = SpatialSound {
            clip,
            control: VoiceControl::new(0.7, 0.7),
            looped: true,
            name: "audio/bell.ogg".into(),
        };
        let mut voice = sound.decoder();
        assert_eq!(
            voice.next(),
            None,
            "an undecodable file plays nothing, and nothing panics"
        );
    }

    #[test]
    fn an_offline_tour_has_narration_where_its_stops_are() {
        // The drum's tour in Vietnamese, laid out as the tour player times it (each stop lasts
        // until its captions end), over the ducked water ambience.
        let package = exhibit("trong-dong");
        let tour = &package.manifest.tours[0];
        let mut starts = Vec::new();
        let mut t = 0.0f32;
        let rate = 24_000usize;
        let mut narration_track = Vec::new();
        for stop in &tour.stops {
            let captions = parse_vtt(
                &std::fs::read_to_string(package.file(stop.captions.get("vi").unwrap())).unwrap(),
            )
            .unwrap();
            let seconds = stop_seconds(stop, None, Some(&captions), "vi");
            let (samples, r) = decode(&package, stop.narration.get("vi").unwrap());
            assert_eq!(r as usize, rate);
            starts.push((t, seconds, samples.len() as f32 / rate as f32));
            let offset = (t * rate as f32) as usize;
            narration_track.resize(
                offset + samples.len().max((seconds * rate as f32) as usize),
                0.0,
            );
            for (i, s) in samples.iter().enumerate() {
                narration_track[offset + i] += s;
            }
            t += seconds;
        }
        assert_eq!(starts.len(), 4);
        for (k, (start, seconds, voice)) in starts.iter().enumerate() {
            // Each stop lasts as long as its narration (captions end + a breath).
            assert!(
                (seconds - voice).abs() < 1.0,
                "stop {k}: {seconds} s for {voice} s of voice"
            );
            let a = ((start + 0.5) * rate as f32) as usize;
            let b = ((start + voice - 0.5) * rate as f32) as usize;
            assert!(
                rms(&narration_track[a..b]) > 0.03,
                "stop {k} has narration between {start} s and {} s",
                start + voice
            );
        }
        // Between the last word of one stop and the first of the next there is near silence.
        let (s1, _, v1) = starts[0];
        let gap_start = ((s1 + v1 - 0.15) * rate as f32) as usize;
        assert!(rms(&narration_track[gap_start..gap_start + rate / 20]) < 0.01);
    }
}
