#!/usr/bin/env python3
"""Makes the sample exhibits' sound: tour narration (espeak-ng, Vietnamese and English voices),
WebVTT captions timed to it, and a synthesised positional ambience per exhibit (a temple bell,
running water, wind). Writes OGG Vorbis under each package's audio/ and captions/ folders and
points the manifests' tour stops at them.

Needs espeak-ng and sox (Debian: apt-get install espeak-ng sox libsox-fmt-all) at generation time
only; the viewer plays the committed files. Run from the repository root:
    python3 exhibits/tools/make_sound.py
The narration is a synthetic voice: replace it with a recorded narrator when there is one.
"""
import math
import random
import re
import struct
import subprocess
import tempfile
import tomllib
import wave
from pathlib import Path

EXHIBITS = Path(__file__).resolve().parent.parent
VOICES = {"vi": "vi", "en": "en"}
RATE = 24000


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def duration(path):
    return float(subprocess.check_output(["soxi", "-D", str(path)], text=True).strip())


def speak(text, lang, out_ogg):
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "n.wav"
        run("espeak-ng", "-v", VOICES[lang], "-s", "145", "-w", str(wav), text)
        # Mono, 24 kHz, a little padding so the last word is not cut, Vorbis at modest quality.
        run("sox", str(wav), "-r", str(RATE), "-c", "1", "-C", "3", str(out_ogg), "pad", "0.2", "0.4")
    return duration(out_ogg)


def vtt_time(t):
    m, s = divmod(t, 60)
    return f"{int(m):02d}:{s:06.3f}"


def captions(text, total):
    """Sentences as cues, each lasting in proportion to its length (the synthetic voice keeps an
    even pace), long sentences split at a comma into two lines."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?:])\s+", text) if s.strip()]
    weights = [len(s) + 8 for s in sentences]
    scale = (total - 0.6) / sum(weights)
    t = 0.2
    cues = []
    for s, w in zip(sentences, weights):
        end = t + w * scale
        if len(s) > 70 and ", " in s:
            cut = s.find(", ", len(s) // 3) + 1
            s = s[:cut].strip() + "\n" + s[cut:].strip() if cut > 0 else s
        cues.append(f"{vtt_time(t)} --> {vtt_time(end)}\n{s}")
        t = end
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def write_wav(path, samples):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(max(-1, min(1, s)) * 32767)) for s in samples))


def bell(seconds=9.0):
    # A bronze bell: inharmonic partials with their own decays, struck once per loop.
    partials = [(196.0, 1.0, 3.5), (392.0 * 1.002, 0.6, 2.6), (540.0, 0.45, 2.0), (1058.0, 0.25, 1.2), (1480.0, 0.12, 0.8)]
    n = int(seconds * RATE)
    return [0.45 * sum(a * math.exp(-t / d) * math.sin(2 * math.pi * f * t) for f, a, d in partials) * min(1.0, t * 400)
            for t in (i / RATE for i in range(n))]


def noise_bed(seconds, cutoff, wobble, seed):
    # Filtered noise, slowly swelling: wind or water depending on the cutoff and the swell.
    rnd = random.Random(seed)
    n = int(seconds * RATE)
    out, low, band = [], 0.0, 0.0
    a = 1 - math.exp(-2 * math.pi * cutoff / RATE)
    for i in range(n):
        x = rnd.uniform(-1, 1)
        low += a * (x - low)
        band += 0.5 * a * (low - band)
        t = i / RATE
        swell = 0.6 + 0.4 * math.sin(2 * math.pi * t / wobble) * math.sin(2 * math.pi * t / (wobble * 0.37))
        out.append(1.5 * (low - band) * swell)
    # Cross-fade the ends so the loop is seamless.
    fade = int(0.5 * RATE)
    for i in range(fade):
        g = i / fade
        out[i] = out[i] * g + out[n - fade + i] * (1 - g)
    return out[: n - fade]


AMBIENCE = {
    "dinh-hang-kenh": ("bell", bell),
    "trong-dong": ("water", lambda: noise_bed(10.0, 900.0, 2.3, 7)),
    "sac-phong": ("wind", lambda: noise_bed(10.0, 350.0, 4.1, 11)),
}


def main():
    for package in sorted(p for p in EXHIBITS.iterdir() if (p / "exhibit.toml").is_file()):
        manifest_path = package / "exhibit.toml"
        manifest = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
        (package / "audio").mkdir(exist_ok=True)
        (package / "captions").mkdir(exist_ok=True)
        for tour in manifest.get("tours", []):
            for k, stop in enumerate(tour["stops"], start=1):
                for lang in ("vi", "en"):
                    text = stop["text"][lang]
                    stem = f"{tour['id']}-{k}.{lang}"
                    seconds = speak(text, lang, package / "audio" / f"{stem}.ogg")
                    (package / "captions" / f"{stem}.vtt").write_text(captions(text, seconds), encoding="utf-8")
                    print(f"{package.name}: {stem}: {seconds:.1f} s")
        name, make = AMBIENCE[package.name]
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "a.wav"
            write_wav(wav, make())
            run("sox", str(wav), "-C", "2", str(package / "audio" / f"{name}.ogg"))
        print(f"{package.name}: audio/{name}.ogg")


if __name__ == "__main__":
    main()
