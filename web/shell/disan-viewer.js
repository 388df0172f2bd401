// <disan-viewer>: the Disan viewer as an HTML element, for the city portal and lesson pages.
//
//   <script type="module" src="https://…/disan/disan-viewer.js"></script>
//   <disan-viewer exhibit="dinh-hang-kenh" lang="vi" tour="main" stop="2" autoplay></disan-viewer>
//
// Each element holds the viewer page (viewer.html, next to this script) in an iframe, so every
// viewer has its own engine and nothing of the host page leaks into it. `renderer="webgl2"`
// keeps it on WebGL2 where it would pick WebGPU (see docs/embedding.md). The element relays:
//   methods  load(exhibit), setLanguage(lang), startTour(tour?, stop?), stopTour(), pauseTour(),
//            resumeTour(), goToStop(n), openHotspot(id), closeHotspot(), home(),
//            setMode("orbit" | "walk")
//   property state: the viewer's last reported state (phase, exhibit, lang, hotspot, tour, stop,
//            renderer, rights, notices…)
//   events   ready, progress, first-frame, hotspot-open, tour-step, tour-end, error, warning, state
//            (CustomEvent.detail is the event as the viewer sent it; every type the viewer sends
//            is fired, so a type added later needs no change here)
// See docs/embedding.md.

const VIEWER_PAGE = new URL("viewer.html", import.meta.url);
const ATTRIBUTES = ["exhibit", "lang", "tour", "stop", "mode", "autoplay", "renderer"];

class DisanViewer extends HTMLElement {
  static observedAttributes = ATTRIBUTES;

  #frame = null;
  #state = { phase: "starting" };
  #ready = false;
  #queue = [];

  constructor() {
    super();
    this.attachShadow({ mode: "open" }).innerHTML = `
      <style>
        :host { display: block; position: relative; aspect-ratio: 16 / 9; min-height: 240px; background: #1a1714; }
        iframe { position: absolute; inset: 0; width: 100%; height: 100%; border: 0; }
      </style>`;
  }

  get state() {
    return this.#state;
  }

  connectedCallback() {
    window.addEventListener("message", this.#onMessage);
    if (!this.#frame) this.#open();
  }

  disconnectedCallback() {
    window.removeEventListener("message", this.#onMessage);
  }

  attributeChangedCallback(name, before, after) {
    if (!this.#frame || before === after) return;
    if (name === "lang") this.setLanguage(after || "vi");
    else if (name === "mode" && after) this.setMode(after);
    else if (name === "exhibit") this.load(after);
    else if (name === "renderer") this.#open(); // another engine build: a fresh viewer
    else if ((name === "tour" || name === "stop") && this.#ready) this.startTour(this.getAttribute("tour"), Number(this.getAttribute("stop")) || 1);
  }

  /** Shows another exhibit: one of the open catalogue by id, or another package (reloads). */
  load(exhibit) {
    const inCatalogue = this.#state.summary?.catalogue?.includes(exhibit);
    if (inCatalogue && /^[a-z0-9][a-z0-9-]*$/.test(exhibit)) {
      this.#send({ type: "load", exhibit });
    } else if (this.getAttribute("exhibit") !== exhibit) {
      this.setAttribute("exhibit", exhibit); // attributeChangedCallback reopens the viewer
    } else {
      this.#open();
    }
  }
  setLanguage(lang) { this.#send({ type: "set-language", lang }); }
  startTour(tour = null, stop = 1) { this.#send({ type: "start-tour", tour, stop }); }
  stopTour() { this.#send({ type: "stop-tour" }); }
  pauseTour() { this.#send({ type: "pause-tour" }); }
  resumeTour() { this.#send({ type: "resume-tour" }); }
  goToStop(stop) { this.#send({ type: "go-to-stop", stop }); }
  openHotspot(hotspot) { this.#send({ type: "open-hotspot", hotspot }); }
  closeHotspot() { this.#send({ type: "close-hotspot" }); }
  home() { this.#send({ type: "home" }); }
  setMode(mode) { this.#send({ type: "set-mode", mode }); }

  #open() {
    const url = new URL(VIEWER_PAGE);
    for (const name of ATTRIBUTES) {
      let value = this.getAttribute(name);
      if (value === null) continue;
      // An exhibit address is relative to this page, not to the viewer's.
      if (name === "exhibit" && !/^[a-z0-9][a-z0-9-]*$/.test(value)) value = new URL(value, document.baseURI).href;
      url.searchParams.set(name, value);
    }
    this.#ready = false;
    this.#state = { phase: "starting" };
    const frame = document.createElement("iframe");
    frame.src = url.href;
    frame.allow = "fullscreen; autoplay";
    frame.title = this.getAttribute("title") || "Disan: Di sản Hải Phòng · Hải Phòng heritage";
    if (this.#frame) this.#frame.replaceWith(frame);
    else this.shadowRoot.append(frame);
    this.#frame = frame;
  }

  #send(command) {
    if (this.#ready) this.#frame.contentWindow.postMessage({ disan: 1, command }, "*");
    else this.#queue.push(command);
  }

  #onMessage = (e) => {
    if (!this.#frame || e.source !== this.#frame.contentWindow || !e.data || e.data.disan !== 1) return;
    const event = e.data.event;
    if (event.type === "state") this.#state = event.state;
    if (event.type === "ready" && !this.#ready) {
      this.#ready = true;
      for (const c of this.#queue.splice(0)) this.#send(c);
    }
    this.dispatchEvent(new CustomEvent(event.type, { detail: event }));
  };
}

customElements.define("disan-viewer", DisanViewer);
