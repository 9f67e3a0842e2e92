/*! Help-center widget panel: search-as-you-type (WAI-ARIA combobox + listbox), answers with
   steps, follow-up choice, contact channels and feedback. Loaded by loader.js on first use.
   Untrusted text only ever reaches the page through textContent / text nodes. */
(function (w, d) {
  "use strict";
  var K = w.KBHelpWidget;
  if (!K || K.started) return;
  K.started = true;
  var cfg = K.cfg, root = K.root, launcher = K.launcher;
  var ENT = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: "\u00a0" };
  var FALLBACK = { title: "Help", close: "Close", answer_error: "Help is unavailable right now.", retry: "Try again" };

  // ---- session storage: the open conversation survives a reload of the tab -----------------
  function sget(k) { try { return w.sessionStorage.getItem(k); } catch (e) { return null; } }
  function sset(k, v) { try { w.sessionStorage.setItem(k, v); } catch (e) { /* storage off */ } }
  function jget(k) { try { return JSON.parse(sget(k) || "null"); } catch (e) { return null; } }
  var S = jget("kbw:state");
  if (!S || !Array.isArray(S.turns)) S = { open: false, locale: "", q: "", turns: [] };
  function save() { sset("kbw:state", JSON.stringify(S)); }

  // A random id per visit (tab session) so analytics can group the keystrokes of one search.
  var sid = sget("kbw:sid");
  if (!/^[0-9a-f]{32}$/.test(sid || "")) {
    var rnd = new Uint8Array(16);
    w.crypto.getRandomValues(rnd);
    sid = Array.prototype.map.call(rnd, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    sset("kbw:sid", sid);
  }

  function api(path, params, signal, body) {
    var u = new URL(cfg.api + path, location.href);
    Object.keys(params || {}).forEach(function (k) {
      var v = params[k];
      if (v != null && v !== "") u.searchParams.set(k, v);
    });
    var o = { headers: { Accept: "application/json", "X-KB-Session": sid }, credentials: "omit", signal: signal };
    if (body) {
      o.method = "POST";
      o.headers["Content-Type"] = "application/json";
      o.body = JSON.stringify(body);
    }
    return fetch(u.href, o).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.status === 204 ? null : r.json();
    });
  }

  // ---- UI strings: served by the API from the Babel catalogs --------------------------------
  var T = FALLBACK, P = {}, ui = "en";
  function t(k, v) {
    var s = T[k] || FALLBACK[k] || "";
    return v ? s.replace(/\{(\w+)\}/g, function (m, n) { return n in v ? v[n] : m; }) : s;
  }
  function tn(k, n) {
    var f = P[k] || {}, cat = "other";
    try { cat = new Intl.PluralRules(ui).select(n); } catch (e) { cat = n === 1 ? "one" : "other"; }
    return (f[cat] || f.other || "{count}").replace("{count}", n.toLocaleString(ui));
  }
  function loadStrings(tag) {
    var key = "kbw:s:" + tag, hit = jget(key);
    var got = hit ? Promise.resolve(hit) : api("/v1/ui-strings", { locale: tag }).then(function (r) {
      sset(key, JSON.stringify(r));
      return r;
    });
    return got.then(function (r) { T = r.strings || {}; P = r.plurals || {}; ui = r.locale || tag; });
  }
  function loadLocales() {
    var hit = jget("kbw:locales");
    return hit ? Promise.resolve(hit) : api("/v1/locales").then(function (r) {
      sset("kbw:locales", JSON.stringify(r));
      return r;
    });
  }

  // ---- DOM helpers ---------------------------------------------------------------------------
  function el(tag, a, kids) {
    var e = d.createElement(tag);
    Object.keys(a || {}).forEach(function (k) {
      var v = a[k];
      if (v == null || v === false) return;
      if (k === "text") e.textContent = v;
      else if (k === "cls") e.className = v;
      else if (k.slice(0, 2) === "on") e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    });
    (kids || []).forEach(function (c) {
      if (c != null) e.appendChild(typeof c === "string" ? d.createTextNode(c) : c);
    });
    return e;
  }
  function decode(s) {
    return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, function (m, e) {
      var c = e.toLowerCase();
      if (c.charAt(0) !== "#") return ENT[c] || m;
      var n = c.charAt(1) === "x" ? parseInt(c.slice(2), 16) : parseInt(c.slice(1), 10);
      try { return String.fromCodePoint(n); } catch (x) { return m; }
    });
  }
  // The API's snippet is HTML-escaped text where only <mark>…</mark> is markup: build nodes.
  function snippet(s) {
    var box = el("span", { cls: "kbw-opt-s" }), mark = null;
    String(s || "").split(/(<\/?mark>)/).forEach(function (part) {
      if (part === "<mark>") { mark = el("mark"); box.appendChild(mark); }
      else if (part === "</mark>") mark = null;
      else if (part) (mark || box).appendChild(d.createTextNode(decode(part)));
    });
    return box;
  }
  function safeUrl(v, schemes) {
    try {
      var u = new URL(v, cfg.api + "/");
      return schemes.indexOf(u.protocol) >= 0 ? u.href : null;
    } catch (e) { return null; }
  }

  // ---- the panel -----------------------------------------------------------------------------
  var panel, title, langLabel, sel, closeBtn, qLabel, input, drop, list, foot, hint, live, body, disclaimer;
  var results = [], active = -1, timer = 0, sCtl = null, sSeq = 0, aCtl = null;

  function build() {
    title = el("h2", { id: "kbw-title", cls: "kbw-title" });
    langLabel = el("label", { "for": "kbw-lang", cls: "kbw-sr" });
    sel = el("select", { id: "kbw-lang", cls: "kbw-lang", onchange: function () { switchLocale(sel.value); } });
    closeBtn = el("button", { type: "button", cls: "kbw-close", onclick: hide }, [el("span", { "aria-hidden": "true", text: "\u00d7" })]);
    qLabel = el("label", { id: "kbw-q-label", "for": "kbw-q", cls: "kbw-q-label" });
    input = el("input", {
      id: "kbw-q", type: "text", role: "combobox", autocomplete: "off", spellcheck: "false",
      maxlength: "200", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": "kbw-list",
      enterkeyhint: "search", cls: "kbw-input"
    });
    list = el("ul", { id: "kbw-list", role: "listbox", "aria-labelledby": "kbw-q-label", cls: "kbw-list" });
    foot = el("div", { cls: "kbw-drop-foot", "aria-hidden": "true" });
    drop = el("div", { cls: "kbw-drop", hidden: true }, [list, foot]);
    hint = el("div", { cls: "kbw-hint", hidden: true });
    live = el("div", { cls: "kbw-sr", role: "status", "aria-live": "polite", "aria-atomic": "true" });
    body = el("div", { cls: "kbw-body" });
    disclaimer = el("p", { cls: "kbw-foot" });
    panel = el("section", { id: "kbw-panel", cls: "kbw-panel", role: "dialog", "aria-labelledby": "kbw-title", hidden: true }, [
      el("div", { cls: "kbw-head" }, [title, el("div", { cls: "kbw-tools" }, [langLabel, sel, closeBtn])]),
      el("div", { cls: "kbw-search" }, [qLabel, el("div", { cls: "kbw-field" }, [input, drop])]),
      hint, live, body, disclaimer
    ]);
    input.addEventListener("input", function () { S.q = input.value; save(); schedule(); });
    input.addEventListener("keydown", onKey);
    input.addEventListener("blur", function () { closeDrop(); });
    input.addEventListener("click", function () { if (results.length) openDrop(); });
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !e.defaultPrevented) { e.preventDefault(); hide(); }
    });
    root.appendChild(panel);
  }

  function texts() {
    panel.lang = ui;
    // The host's data-title is in the host page's language: use it only when the panel is too.
    var hostLang = (cfg.locale || d.documentElement.lang || "").split(/[-_]/)[0].toLowerCase();
    title.textContent = cfg.title && hostLang === ui ? cfg.title : t("title");
    // The launcher follows the panel's language too, unless the embedder chose its words.
    var own = cfg.label || (cfg.title && hostLang === ui ? cfg.title : "");
    var launcherLabel = launcher.querySelector("span");
    if (launcherLabel && !own && t("launcher")) {
      launcherLabel.textContent = t("launcher");
      launcherLabel.lang = ui;
    }
    langLabel.textContent = t("language");
    closeBtn.setAttribute("aria-label", t("close"));
    qLabel.textContent = t("search_label");
    input.placeholder = t("search_placeholder");
    list.setAttribute("aria-label", t("results_label"));
    disclaimer.textContent = t("disclaimer");
    sel.value = ui;
  }

  function announce(msg) {
    live.textContent = "";
    // A fresh text node after a tick makes screen readers announce repeated messages too.
    setTimeout(function () { live.textContent = msg; }, 30);
  }

  // ---- search as you type --------------------------------------------------------------------
  function schedule() {
    clearTimeout(timer);
    if (input.value.trim().length < 2) { cancelSearch(); results = []; closeDrop(); showHint(null); return; }
    timer = setTimeout(search, 120);
  }
  function cancelSearch() {
    clearTimeout(timer);
    sSeq++;
    if (sCtl) sCtl.abort();
    sCtl = null;
    busy(false);
  }
  function busy(on) { panel.classList.toggle("kbw-busy", on); }
  function search() {
    var q = input.value.trim();
    if (q.length < 2) return;
    cancelSearch();
    var ctl = sCtl = new AbortController(), seq = sSeq;
    busy(true);
    api("/v1/search", { q: q, locale: ui, limit: 6 }, ctl.signal).then(function (res) {
      if (seq !== sSeq) return; // a newer keystroke won: stale answers never render
      sCtl = null;
      busy(false);
      renderResults(res);
    }).catch(function () {
      if (seq !== sSeq) return;
      sCtl = null;
      busy(false);
      results = [];
      closeDrop();
      showHint([el("p", { text: t("search_error") })]);
      announce(t("search_error"));
    });
  }
  function renderResults(res) {
    results = res.results || [];
    list.textContent = "";
    active = -1;
    input.removeAttribute("aria-activedescendant");
    results.forEach(function (r, i) {
      var sec = r.section_title && r.section_title !== r.title ? el("span", { cls: "kbw-opt-sec", text: r.section_title }) : null;
      list.appendChild(el("li", {
        id: "kbw-o-" + i, role: "option", "aria-selected": "false", cls: "kbw-opt", lang: r.locale,
        onmousedown: function (e) { e.preventDefault(); },
        onclick: function () { choose(i); }
      }, [el("span", { cls: "kbw-opt-t", text: r.title }), sec, snippet(r.snippet)]));
    });
    var count = tn("results_count", res.total || results.length);
    if (results.length) {
      foot.textContent = count + " \u00b7 " + t("results_hint");
      showHint(null);
      openDrop();
      announce(count);
    } else {
      closeDrop();
      var kids = [el("p", { text: t("no_results", { query: res.query || input.value.trim() }) })];
      if (res.suggestions && res.suggestions.length) {
        kids.push(el("p", { cls: "kbw-sugg" }, [t("did_you_mean") + " "].concat(res.suggestions.slice(0, 3).map(function (s) {
          return el("button", { type: "button", cls: "kbw-link", text: s, onclick: function () {
            input.value = S.q = s;
            save();
            input.focus();
            search();
          } });
        }))));
      }
      kids.push(el("p", { cls: "kbw-muted", text: t("press_enter") }));
      showHint(kids);
      announce(t("no_results", { query: res.query || input.value.trim() }));
    }
  }
  function showHint(kids) {
    hint.textContent = "";
    (kids || []).forEach(function (k) { hint.appendChild(k); });
    hint.hidden = !kids;
  }
  function openDrop() {
    if (!results.length) return;
    drop.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }
  function closeDrop() {
    if (!drop) return;
    drop.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }
  function setActive(i) {
    var opts = list.children;
    if (opts[active]) { opts[active].setAttribute("aria-selected", "false"); opts[active].classList.remove("kbw-active"); }
    active = i;
    if (opts[i]) {
      opts[i].setAttribute("aria-selected", "true");
      opts[i].classList.add("kbw-active");
      input.setAttribute("aria-activedescendant", opts[i].id);
      opts[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  function onKey(e) {
    var open = !drop.hidden, n = results.length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!n) return;
      e.preventDefault();
      if (!open) { openDrop(); setActive(e.key === "ArrowDown" ? 0 : n - 1); return; }
      setActive(e.key === "ArrowDown" ? (active + 1) % n : (active <= 0 ? n - 1 : active - 1));
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (open && active >= 0) choose(active);
      else if (input.value.trim()) { cancelSearch(); closeDrop(); ask({ q: input.value.trim() }); }
    } else if (e.key === "Escape") {
      if (open) { e.preventDefault(); closeDrop(); }
    } else if (e.key === "Tab") {
      closeDrop();
    }
  }
  function choose(i) {
    var r = results[i];
    cancelSearch();
    closeDrop();
    ask({ q: input.value.trim(), article_id: r.article_id, label: r.title });
  }

  // ---- answers -------------------------------------------------------------------------------
  function ask(req) {
    var top = S.turns[S.turns.length - 1];
    if (top && !top.res) S.turns.pop();
    var turn = { q: req.q || "", aid: req.article_id || null, label: req.label || null, res: null, err: false, fb: null };
    S.turns.push(turn);
    if (S.turns.length > 12) S.turns.shift();
    fetchTurn(turn, req.focus);
  }
  function fetchTurn(turn, focus) {
    if (aCtl) aCtl.abort();
    var ctl = aCtl = new AbortController();
    turn.res = null;
    turn.err = false;
    turn.fb = null;
    save();
    render(focus);
    announce(t("loading_answer"));
    api("/v1/answer", { q: turn.q, locale: ui, article_id: turn.aid }, ctl.signal).then(function (res) {
      if (ctl !== aCtl) return;
      aCtl = null;
      turn.res = res;
      turn.ui = ui;
      save();
      render(focus);
      announce(res.answer ? t("answer_ready", { title: res.answer.title }) : (res.message || t("no_answer")));
    }).catch(function () {
      if (ctl !== aCtl) return;
      aCtl = null;
      turn.err = true;
      save();
      render(focus);
      announce(t("answer_error"));
    });
  }

  function render(focus) {
    body.textContent = "";
    var turn = S.turns[S.turns.length - 1];
    if (!turn) { intro(); return; }
    var nav = el("div", { cls: "kbw-nav" });
    if (S.turns.length > 1) {
      nav.appendChild(el("button", { type: "button", cls: "kbw-link kbw-back", onclick: back }, [el("span", { "aria-hidden": "true", text: "\u2190 " }), t("back")]));
    }
    var same = turn.label && turn.res && turn.res.answer && turn.res.answer.title === turn.label;
    if ((turn.label || turn.q) && !same) nav.appendChild(el("p", { cls: "kbw-asked", text: turn.label ? t("you_chose", { label: turn.label }) : t("you_asked", { query: turn.q }) }));
    body.appendChild(nav);
    var card = el("article", { cls: "kbw-card", "aria-labelledby": "kbw-a-title" });
    var head;
    if (turn.err) {
      head = el("h3", { id: "kbw-a-title", tabindex: "-1", text: t("answer_error") });
      card.appendChild(head);
      card.appendChild(el("button", { type: "button", cls: "kbw-btn", text: t("retry"), onclick: function () { fetchTurn(turn, true); } }));
    } else if (!turn.res) {
      card.setAttribute("aria-busy", "true");
      head = el("h3", { id: "kbw-a-title", cls: "kbw-sr", tabindex: "-1", text: t("loading_answer") });
      card.appendChild(head);
      card.appendChild(el("div", { cls: "kbw-skel", "aria-hidden": "true" }, [el("i"), el("i"), el("i"), el("i")]));
    } else {
      head = answer(card, turn);
    }
    body.appendChild(card);
    body.scrollTop = 0;
    if (focus && head) head.focus();
  }

  // The empty state: a short explanation and the knowledge base's articles to browse.
  var topics = {};
  function intro() {
    body.appendChild(el("p", { cls: "kbw-intro", text: t("intro") }));
    var lang = ui, box = el("section", { cls: "kbw-topics", "aria-labelledby": "kbw-t-title", lang: lang });
    body.appendChild(box);
    var got = topics[lang] || (topics[lang] = api("/v1/articles", { locale: lang }).then(function (r) { return r.articles || []; }));
    got.then(function (items) {
      if (!items.length || !box.parentNode || lang !== ui) return;
      box.appendChild(el("h4", { id: "kbw-t-title", text: t("topics") }));
      box.appendChild(el("ul", { cls: "kbw-topic-list" }, items.slice(0, 8).map(function (a) {
        return el("li", {}, [el("button", { type: "button", cls: "kbw-topic", text: a.title, onclick: function () {
          ask({ article_id: a.article_id, label: a.title, focus: true });
        } })]);
      })));
    }, function () { delete topics[lang]; });
  }

  function answer(card, turn) {
    var res = turn.res, a = res.answer, fu = res.follow_up, head;
    card.lang = res.locale || ui;
    if (a) {
      head = el("h3", { id: "kbw-a-title", tabindex: "-1", text: a.title });
      card.appendChild(head);
      if (a.summary) card.appendChild(el("p", { cls: "kbw-summary", text: a.summary }));
      if (a.steps && a.steps.length) {
        card.appendChild(el("h4", { text: t("steps") }));
        card.appendChild(el("ol", { cls: "kbw-steps", role: "list" }, a.steps.map(function (s) { return el("li", { text: s }); })));
      }
    } else {
      head = el("h3", { id: "kbw-a-title", tabindex: "-1", text: t("no_answer_title") });
      card.appendChild(head);
    }
    var msg = res.message || (a ? null : t("no_answer"));
    if (msg && !(fu && fu.question === msg)) card.appendChild(el("p", { cls: "kbw-msg", text: msg }));
    if (fu && fu.options && fu.options.length) {
      card.appendChild(el("div", { cls: "kbw-fu", role: "group", "aria-labelledby": "kbw-fu-q" }, [
        el("p", { id: "kbw-fu-q", cls: "kbw-fu-q", text: fu.question })
      ].concat(fu.options.map(function (o) {
        return el("button", { type: "button", cls: "kbw-chip", text: o.label, onclick: function () {
          ask({ q: turn.q, article_id: o.article_id, label: o.label, focus: true });
        } });
      }))));
    }
    var more = a && a.url && safeUrl(a.url, ["https:", "http:"]);
    if (more) card.appendChild(el("p", { cls: "kbw-more" }, [el("a", { href: more, target: "_blank", rel: "noopener", text: t("read_article") })]));
    var ch = a && a.channels && a.channels.length ? a.channels : res.channels;
    if (ch && ch.length) {
      card.appendChild(el("section", { cls: "kbw-contact", "aria-labelledby": "kbw-c-title" }, [
        el("h4", { id: "kbw-c-title", text: t("contact_heading") }),
        el("ul", { cls: "kbw-channels" }, ch.map(channel))
      ]));
    }
    if (a) card.appendChild(feedback(turn));
    return head;
  }

  function channel(c) {
    var v = typeof c.value === "string" ? c.value.trim() : "", href = null, act = null, m;
    if (v && c.kind === "phone" && /^\+?[\d\s().-]{3,30}$/.test(v)) {
      href = "tel:" + v.replace(/[^\d+]/g, "");
      act = t("call", { number: v });
    } else if (v && c.kind === "chat") {
      href = safeUrl(v, ["https:"]);
      act = t("open_chat");
    } else if (v && c.kind === "twitter" && (m = /^@?([A-Za-z0-9_]{1,15})$/.exec(v))) {
      href = "https://twitter.com/" + m[1];
      act = "@" + m[1];
    }
    return el("li", { cls: "kbw-ch kbw-ch-" + (/^(phone|chat|twitter)$/.test(c.kind) ? c.kind : "other") }, [
      el("span", { cls: "kbw-ch-icon", "aria-hidden": "true" }),
      el("div", { cls: "kbw-ch-text" }, [
        el("strong", { text: c.label }),
        c.description ? el("span", { text: c.description }) : null,
        href ? el("a", { cls: "kbw-btn kbw-btn-sm", href: href, target: c.kind === "phone" ? null : "_blank", rel: "noopener noreferrer", text: act }) : null
      ])
    ]);
  }

  function feedback(turn) {
    if (turn.fb != null) return el("p", { cls: "kbw-fb kbw-muted", text: t("thanks") });
    var box = el("div", { cls: "kbw-fb", role: "group", "aria-labelledby": "kbw-fb-q" }, [el("span", { id: "kbw-fb-q", text: t("helpful") })]);
    [true, false].forEach(function (yes) {
      box.appendChild(el("button", { type: "button", cls: "kbw-btn kbw-btn-ghost", text: t(yes ? "yes" : "no"), onclick: function () {
        turn.fb = yes;
        save();
        var a = turn.res.answer;
        api("/v1/feedback", null, null, { article_id: a.article_id, locale: turn.res.locale || ui, helpful: yes, query: turn.q })
          .catch(function () { /* feedback is best effort */ });
        var done = el("p", { cls: "kbw-fb kbw-muted", tabindex: "-1", text: t("thanks") });
        box.parentNode.replaceChild(done, box);
        done.focus();
        announce(t("thanks"));
      } }));
    });
    return box;
  }

  function back() {
    S.turns.pop();
    var top = S.turns[S.turns.length - 1];
    if (top && (!top.res || top.ui !== ui)) fetchTurn(top, true);
    else { save(); render(true); }
  }

  function switchLocale(tag) {
    S.locale = tag;
    save();
    loadStrings(tag).then(function () {
      texts();
      var top = S.turns[S.turns.length - 1];
      if (top) fetchTurn(top, false); else render(false);
      if (input.value.trim().length >= 2) search();
    }, function () { announce(t("answer_error")); });
  }

  // ---- open / close --------------------------------------------------------------------------
  function show(focus) {
    S.open = true;
    save();
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    root.host.classList.add("kbw-open");
    if (focus) input.focus();
  }
  function hide() {
    S.open = false;
    save();
    cancelSearch();
    closeDrop();
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    root.host.classList.remove("kbw-open");
    launcher.focus();
  }

  function start(ok) {
    build();
    if (ok) texts(); else { title.textContent = cfg.title || t("title"); closeBtn.setAttribute("aria-label", t("close")); }
    input.value = S.q || "";
    render(false);
    var top = S.turns[S.turns.length - 1];
    if (!ok) {
      panel.lang = "en";
      body.textContent = "";
      body.appendChild(el("p", { cls: "kbw-msg", text: t("answer_error") }));
      body.appendChild(el("button", { type: "button", cls: "kbw-btn", text: t("retry"), onclick: function () { w.location.reload(); } }));
    } else if (top && !top.res && !top.err) {
      fetchTurn(top, false);
    }
    K.open = function () { if (panel.hidden) show(true); else hide(); };
    var go = function () { if (K.want) show(!K.restore); K.restore = false; };
    if (K.cssReady) go(); else K.ready = go;
  }

  var want = S.locale || cfg.locale || (navigator.languages && navigator.languages[0]) || navigator.language || "en";
  Promise.all([
    loadStrings(want),
    loadLocales().catch(function () { return null; })
  ]).then(function (r) {
    var locs = r[1];
    start(true);
    if (locs && locs.locales && locs.locales.length > 1) {
      locs.locales.forEach(function (l) {
        sel.appendChild(el("option", { value: l.code, lang: l.code, text: l.name }));
      });
      sel.value = ui;
    } else {
      sel.hidden = true;
    }
  }, function () { start(false); sel.hidden = true; });
})(window, document);
