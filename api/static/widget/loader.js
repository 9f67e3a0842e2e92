/*! Help-center widget loader: draws the launcher only; the panel (widget.js + widget.css) loads
   on first use. Embed: <script src="{API}/widget/loader.js" data-api-base="{API}"
   data-locale="fr" data-title="Help" data-label="Help" defer></script> */
// @ts-check
// The loader contract (window.KBHelpWidget: config, root, launcher, attach) is typed in contract.d.ts.
(() => {
  "use strict";
  const script = document.currentScript;
  if (!(script instanceof HTMLScriptElement) || "KBHelpWidget" in window) return;
  const src = new URL(script.src, location.href);
  const data = script.dataset;
  const VERSION = "__KB_WIDGET_VERSION__";
  const LABELS = __KB_LAUNCHER_LABELS__; // the launcher's label per language, from the catalogs
  const fileUrl = (/** @type {string} */ name) => new URL(`${name}?v=${VERSION}`, src).href;

  /** @param {ShadowRoot} root @param {string} name @returns {Promise<unknown>} */
  const stylesheet = (root, name) => new Promise((resolve) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = fileUrl(name);
    link.addEventListener("load", resolve);
    root.append(link);
  });

  const wasOpen = () => {
    try {
      return JSON.parse(sessionStorage.getItem("kbw:session") || "{}").open === true;
    } catch {
      return false;
    }
  };

  const start = () => {
    const host = document.createElement("kb-help-widget");
    const root = host.attachShadow({ mode: "open" });
    const launcher = document.createElement("button");
    const label = document.createElement("span");
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    launcher.type = "button";
    launcher.className = "kbw-launcher";
    launcher.hidden = true;
    launcher.setAttribute("aria-haspopup", "dialog");
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "kbw-panel");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS(svg.namespaceURI, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm7 11h2v-2h-2zm1-9a3.5 3.5 0 0 0-3.5 3.5h2A1.5 1.5 0 1 1 12 11c-.6 0-1 .4-1 1v.5h2v-.2A3.5 3.5 0 0 0 12 6z");
    svg.append(path);
    const lang = (data.locale || document.documentElement.lang || navigator.language || "en").split(/[-_]/)[0].toLowerCase();
    const own = data.label || data.title;
    label.textContent = own || LABELS[lang] || LABELS.en || "Help";
    if (data.locale || (!own && LABELS[lang])) label.lang = data.locale || lang;
    launcher.append(svg, label);
    stylesheet(root, "launcher.css").then(() => { launcher.hidden = false; });
    root.append(launcher);

    /** @type {Panel | null} */
    let panel = null;
    /** @type {Promise<Panel> | null} */
    let loading = null;
    /** @type {(panel: Panel) => void} */
    let attach = () => {};
    /** @type {Promise<Panel>} */
    const attached = new Promise((resolve) => { attach = resolve; });
    /** @type {Handoff} */
    const handoff = {
      config: { apiBase: (data.apiBase || src.origin).replace(/\/+$/, ""), locale: data.locale || "", title: data.title || "", label: data.label || "" },
      root,
      launcher,
      attach,
    };
    Object.defineProperty(window, "KBHelpWidget", { value: Object.freeze(handoff) });
    const load = () => {
      if (!loading) {
        const code = document.createElement("script");
        code.src = fileUrl("widget.js");
        code.async = true;
        document.head.append(code);
        // The panel shows once both its code and its styles are in: never unstyled.
        loading = Promise.all([attached, stylesheet(root, "widget.css")]).then(([p]) => (panel = p));
      }
      return loading;
    };
    for (const event of ["pointerenter", "focus", "touchstart"]) launcher.addEventListener(event, load, { passive: true, once: true });
    launcher.addEventListener("click", () => (panel ? panel.toggle() : load().then((p) => p.show(true))));
    document.body.append(host);
    if (wasOpen()) load().then((p) => p.show(false));
  };
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
