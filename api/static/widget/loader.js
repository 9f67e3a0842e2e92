/*! Help-center widget loader: renders only the launcher; the panel (widget.js + widget.css)
   loads on first interaction. Embed: <script src="{API}/widget/loader.js" defer
   data-api-base="{API}" data-locale="fr" data-title="Help"></script> */
(function (w, d) {
  "use strict";
  var s = d.currentScript;
  if (!s || w.KBHelpWidget) return;
  var src = new URL(s.src, location.href);
  var ds = s.dataset;
  var V = "__KB_WIDGET_VERSION__";
  var LABELS = __KB_LAUNCHER_LABELS__; // the launcher's label per language, from the catalogs
  var K = {
    cfg: {
      api: (ds.apiBase || src.origin).replace(/\/+$/, ""),
      base: new URL(".", src).href,
      locale: ds.locale || "",
      title: ds.title || "",
      label: ds.label || ""
    },
    want: false
  };
  w.KBHelpWidget = K;
  function stored() {
    try { return JSON.parse(sessionStorage.getItem("kbw:state") || "{}").open; } catch (e) { return false; }
  }
  function url(f) { return K.cfg.base + f + "?v=" + V; }
  function css(root, f, done) {
    var l = d.createElement("link");
    l.rel = "stylesheet";
    l.href = url(f);
    if (done) l.addEventListener("load", done);
    root.appendChild(l);
    return l;
  }
  function load() {
    if (K.loading) return;
    K.loading = true;
    K.css = css(K.root, "widget.css", function () { K.cssReady = true; if (K.ready) K.ready(); });
    var j = d.createElement("script");
    j.src = url("widget.js");
    j.async = true;
    d.head.appendChild(j);
  }
  function open() {
    K.want = true;
    load();
    if (K.open) K.open(true);
  }
  function start() {
    var host = d.createElement("kb-help-widget");
    var root = host.attachShadow({ mode: "open" });
    var b = d.createElement("button");
    var ns = "http://www.w3.org/2000/svg";
    var svg = d.createElementNS(ns, "svg");
    var p = d.createElementNS(ns, "path");
    var label = d.createElement("span");
    K.host = host;
    K.root = root;
    K.launcher = b;
    b.type = "button";
    b.className = "kbw-launcher";
    b.hidden = true;
    b.setAttribute("aria-haspopup", "dialog");
    b.setAttribute("aria-expanded", "false");
    b.setAttribute("aria-controls", "kbw-panel");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    p.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm7 11h2v-2h-2zm1-9a3.5 3.5 0 0 0-3.5 3.5h2A1.5 1.5 0 1 1 12 11c-.6 0-1 .4-1 1v.5h2v-.2A3.5 3.5 0 0 0 12 6z");
    svg.appendChild(p);
    var lang = (ds.locale || d.documentElement.lang || navigator.language || "en").split(/[-_]/)[0].toLowerCase();
    var own = ds.label || ds.title;
    label.textContent = own || LABELS[lang] || LABELS.en || "Help";
    if (ds.locale || (!own && LABELS[lang])) label.lang = ds.locale || lang;
    b.appendChild(svg);
    b.appendChild(label);
    css(root, "launcher.css", function () { b.hidden = false; });
    root.appendChild(b);
    ["pointerenter", "focus", "touchstart"].forEach(function (e) {
      b.addEventListener(e, load, { passive: true, once: true });
    });
    b.addEventListener("click", open);
    d.body.appendChild(host);
    if (stored()) { K.restore = true; K.want = true; load(); }
  }
  if (d.body) start(); else d.addEventListener("DOMContentLoaded", start);
})(window, document);
