/*! Help-center widget panel: search as you type (WAI-ARIA combobox + listbox), answers with
   steps, the follow-up choice, contact channels and feedback. Loaded by loader.js on first use.
   Untrusted text only ever reaches the page through textContent and text nodes. */
// @ts-check
/**
 * What the widget reads from the API. Fields it does not know are ignored and missing ones are
 * tolerated, so that the API can add fields without breaking it.
 * @typedef {{kind: string, label: string, description?: string, value?: string | null, url?: string | null}} Channel
 * @typedef {{label: string, article_id?: string | null}} Option
 * @typedef {{article_id: string, title: string, summary?: string, steps?: string[], channels?: Channel[], url?: string}} Answer
 * @typedef {object} Reply an answer (`/v1/answer`), or the channels alone (`/v1/channels`)
 * @property {string} [locale]
 * @property {Answer | null} [answer]
 * @property {{question: string, options?: Option[]} | null} [follow_up]
 * @property {string | null} [message]
 * @property {Channel[]} [channels]
 * @typedef {{article_id: string, locale?: string, title: string, section_title?: string | null, snippet?: string}} Hit
 * @typedef {{query?: string, total?: number, results?: Hit[], suggestions?: string[]}} SearchReply
 * @typedef {{locale?: string, strings?: Record<string, string>, plurals?: Record<string, Record<string, string>>}} UIStrings
 * @typedef {{code: string, name: string}} LocaleInfo
 *
 * One turn of the conversation. `via` says how it was asked: typed ("query"), a search result or
 * a topic ("article"), or option number `option` of the previous turn's follow-up ("option"; an
 * option without an article leads to the contact channels).
 * @typedef {object} Turn
 * @property {string} q
 * @property {string | null} articleId
 * @property {"query" | "article" | "option"} via
 * @property {number} [option]
 * @property {Reply | null} res
 * @property {boolean} failed
 * @property {boolean | null} feedback
 */
(() => {
  "use strict";
  const handoff = /** @type {Handoff | undefined} */ (Reflect.get(window, "KBHelpWidget"));
  if (!handoff || handoff.root.getElementById("kbw-panel")) return;
  const { config, root, launcher } = handoff;
  /** @type {Record<string, string>} */
  const FALLBACK = { title: "Help", close: "Close", answer_error: "Help is unavailable right now.", retry: "Try again" };
  const ICONS = {
    phone: "M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2c.3-.3.7-.4 1-.2 1.1.4 2.3.6 3.6.6.6 0 1 .4 1 1V20c0 .6-.4 1-1 1A17 17 0 0 1 3 4c0-.6.4-1 1-1h3.5c.6 0 1 .4 1 1 0 1.3.2 2.5.6 3.6.1.3 0 .7-.2 1z",
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
    // The X (formerly Twitter) mark.
    twitter: "M18.9 1.2h3.7l-8 9.2L24 22.8h-7.4l-5.8-7.6-6.6 7.6H.5l8.6-9.8L0 1.2h7.6l5.2 6.9zm-1.3 19.5h2L6.5 3.2H4.3z",
    other: "M12 12a5 5 0 1 0 0-10 5 5 0 0 0 0 10zm0 2c-4.4 0-8 2.2-8 5v3h16v-3c0-2.8-3.6-5-8-5z",
  };

  // ---- session storage: the open conversation survives a reload of the tab ---------------------
  /** @param {string} key */
  const read = (key) => { try { return JSON.parse(sessionStorage.getItem(key) || "null"); } catch { return null; } };
  /** @param {string} key @param {unknown} value */
  const write = (key, value) => { try { sessionStorage.setItem(key, JSON.stringify(value)); } catch { /* storage off */ } };
  /** What survives a reload. @type {{open: boolean, locale: string, query: string, turns: Turn[]}} */
  const session = { open: false, locale: "", query: "", turns: [], ...read("kbw:session") };
  session.turns = Array.isArray(session.turns) ? session.turns.filter((turn) => turn && typeof turn.via === "string") : [];
  const save = () => write("kbw:session", session);
  /** A random id per visit, so that analytics can group the keystrokes of one search. */
  let visit = read("kbw:visit");
  if (typeof visit !== "string" || !/^[0-9a-f]{32}$/.test(visit)) {
    visit = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
    write("kbw:visit", visit);
  }

  // ---- requests: one in flight per purpose; a newer one aborts the older, whose answer is dropped --
  const STALE = Symbol("stale");
  /** @type {Map<string, AbortController>} */
  const inflight = new Map();
  /**
   * @template T
   * @param {string} purpose
   * @param {(signal: AbortSignal) => Promise<T>} run
   * @returns {Promise<T | typeof STALE>}
   */
  const latest = async (purpose, run) => {
    inflight.get(purpose)?.abort();
    const controller = new AbortController();
    inflight.set(purpose, controller);
    try {
      const result = await run(controller.signal);
      return controller.signal.aborted ? STALE : result;
    } catch (error) {
      if (controller.signal.aborted) return STALE;
      throw error;
    } finally {
      if (inflight.get(purpose) === controller) inflight.delete(purpose);
    }
  };
  /** @param {string} purpose */
  const cancel = (purpose) => { inflight.get(purpose)?.abort(); inflight.delete(purpose); };

  /**
   * @param {string} path
   * @param {Record<string, string | number | null | undefined>} [params]
   * @param {{signal?: AbortSignal, body?: object}} [options]
   * @returns {Promise<any>}
   */
  const api = async (path, params = {}, { signal, body } = {}) => {
    const url = new URL(config.apiBase + path, location.href);
    for (const [key, value] of Object.entries(params)) if (value != null && value !== "") url.searchParams.set(key, String(value));
    /** @type {Record<string, string>} */
    const headers = { Accept: "application/json", "X-KB-Session": visit };
    if (body) headers["Content-Type"] = "application/json";
    const response = await fetch(url.href, { method: body ? "POST" : "GET", headers, credentials: "omit", signal, body: body && JSON.stringify(body) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.status === 204 ? null : response.json();
  };
  /** @type {Map<string, Promise<any>>} */
  const memo = new Map();
  /** The same request's promise for the whole visit (failures are forgotten). @param {string} path @param {Record<string, string>} params */
  const once = (path, params) => {
    const key = path + JSON.stringify(params);
    if (!memo.has(key)) memo.set(key, api(path, params).catch((error) => { memo.delete(key); throw error; }));
    return /** @type {Promise<any>} */ (memo.get(key));
  };

  // ---- interface strings: served by the API from the Babel catalogs ---------------------------
  /** @type {{locale: string, strings: Record<string, string>, plurals: Record<string, Record<string, string>>}} */
  const i18n = { locale: "en", strings: {}, plurals: {} };
  /** @param {string} key @param {Record<string, string>} [values] */
  const t = (key, values) => (i18n.strings[key] || FALLBACK[key] || "").replace(/\{(\w+)\}/g, (/** @type {string} */ m, /** @type {string} */ name) => (values && name in values ? values[name] : m));
  /** @param {string} key @param {number} count */
  const tn = (key, count) => {
    const forms = i18n.plurals[key] || {};
    let category = "other";
    try { category = new Intl.PluralRules(i18n.locale).select(count); } catch { /* an unknown locale */ }
    return (forms[category] || forms.other || "{count}").replace("{count}", count.toLocaleString(i18n.locale));
  };
  /** @param {string} tag */
  const loadStrings = async (tag) => {
    const key = `kbw:strings:${tag}`;
    /** @type {UIStrings} */
    const reply = read(key) || (await api("/v1/ui-strings", { locale: tag }));
    write(key, reply);
    i18n.strings = reply.strings || {};
    i18n.plurals = reply.plurals || {};
    i18n.locale = reply.locale || tag;
  };

  // ---- DOM helpers ------------------------------------------------------------------------------
  /**
   * @param {string} tag
   * @param {Record<string, any>} [attrs] `text`, `cls`, `on<event>` or attributes
   * @param {(Node | string | null | false)[]} [children]
   * @returns {HTMLElement}
   */
  const el = (tag, attrs = {}, children = []) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value == null || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "cls") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  };
  /** @param {string} d */
  const icon = (d) => {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    const path = document.createElementNS(svg.namespaceURI, "path");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    path.setAttribute("d", d);
    svg.append(path);
    return svg;
  };
  /** @type {Record<string, string>} */
  const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: "\u00a0" };
  /** The text of HTML-escaped text. @param {string} text */
  const decode = (text) => text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, entity) => {
    const name = entity.toLowerCase();
    if (!name.startsWith("#")) return ENTITIES[name] || m;
    try {
      return String.fromCodePoint(name[1] === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10));
    } catch {
      return m;
    }
  });
  /** The API's snippet is escaped text in which only <mark>…</mark> is markup: build nodes. @param {string} [text] */
  const snippet = (text) => {
    const box = el("span", { cls: "kbw-opt-s" });
    /** @type {HTMLElement | null} */
    let mark = null;
    for (const part of String(text || "").split(/(<\/?mark>)/)) {
      if (part === "<mark>") box.append((mark = el("mark")));
      else if (part === "</mark>") mark = null;
      else if (part) (mark || box).append(decode(part));
    }
    return box;
  };
  /** @param {string} value @param {string[]} schemes */
  const safeUrl = (value, schemes) => {
    try {
      const url = new URL(value, `${config.apiBase}/`);
      return schemes.includes(url.protocol) ? url.href : null;
    } catch {
      return null;
    }
  };

  // ---- the panel --------------------------------------------------------------------------------
  const title = el("h2", { id: "kbw-title", cls: "kbw-title" });
  const languageLabel = el("label", { for: "kbw-lang", cls: "kbw-sr" });
  const languages = /** @type {HTMLSelectElement} */ (el("select", { id: "kbw-lang", cls: "kbw-lang", onchange: () => switchLocale(languages.value) }));
  const closeButton = el("button", { type: "button", cls: "kbw-close", onclick: () => hide() }, [el("span", { "aria-hidden": "true", text: "\u00d7" })]);
  const queryLabel = el("label", { id: "kbw-q-label", for: "kbw-q", cls: "kbw-q-label" });
  const input = /** @type {HTMLInputElement} */ (el("input", {
    id: "kbw-q", type: "text", role: "combobox", autocomplete: "off", spellcheck: "false", maxlength: "500",
    "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": "kbw-list", enterkeyhint: "search", cls: "kbw-input",
  }));
  const list = el("ul", { id: "kbw-list", role: "listbox", "aria-labelledby": "kbw-q-label", cls: "kbw-list" });
  const listFoot = el("div", { cls: "kbw-drop-foot", "aria-hidden": "true" });
  const drop = el("div", { cls: "kbw-drop", hidden: true }, [list, listFoot]);
  const hint = el("div", { cls: "kbw-hint", hidden: true });
  const live = el("div", { cls: "kbw-sr", role: "status", "aria-live": "polite", "aria-atomic": "true" });
  const body = el("div", { cls: "kbw-body" });
  const disclaimer = el("p", { cls: "kbw-foot" });
  const panel = el("section", { id: "kbw-panel", cls: "kbw-panel", role: "dialog", "aria-labelledby": "kbw-title", hidden: true }, [
    el("div", { cls: "kbw-head" }, [title, el("div", { cls: "kbw-tools" }, [languageLabel, languages, closeButton])]),
    el("div", { cls: "kbw-search" }, [queryLabel, el("div", { cls: "kbw-field" }, [input, drop])]),
    hint, live, body, disclaimer,
  ]);
  /** What is on screen besides the conversation: the results list, and a search that found nothing. */
  /** @type {{results: Hit[], active: number, noMatch: SearchReply | null, timer: number}} */
  const view = { results: [], active: -1, noMatch: null, timer: 0 };

  /** Every string of the panel in its language (the conversation is rendered by render()). */
  const texts = () => {
    panel.lang = i18n.locale;
    // The embedder's data-title is in the host page's language: it is used only when the panel is too.
    const hostLanguage = (config.locale || document.documentElement.lang || "").split(/[-_]/)[0].toLowerCase();
    const ownTitle = config.title && hostLanguage === i18n.locale ? config.title : "";
    title.textContent = ownTitle || t("title");
    const launcherLabel = launcher.querySelector("span");
    if (launcherLabel && !(config.label || ownTitle) && t("launcher")) {
      launcherLabel.textContent = t("launcher");
      launcherLabel.lang = i18n.locale;
    }
    languageLabel.textContent = t("language");
    closeButton.setAttribute("aria-label", t("close"));
    queryLabel.textContent = t("search_label");
    input.placeholder = t("search_placeholder");
    list.setAttribute("aria-label", t("results_label"));
    disclaimer.textContent = t("disclaimer");
    languages.value = i18n.locale;
  };

  /** @param {string} message */
  const announce = (message) => {
    live.textContent = "";
    // A fresh text node after a tick makes screen readers announce a repeated message too.
    setTimeout(() => { live.textContent = message; }, 30);
  };
  /** @param {string | null} message */
  const showHint = (message) => {
    hint.textContent = message || "";
    hint.hidden = !message;
  };

  // ---- search as you type -------------------------------------------------------------------------
  const setBusy = (/** @type {boolean} */ on) => panel.classList.toggle("kbw-busy", on);
  const clearResults = () => { view.results = []; list.textContent = ""; closeList(); };
  const schedule = () => {
    clearTimeout(view.timer);
    if (input.value.trim().length >= 2) {
      view.timer = setTimeout(() => search(true), 120);
      return;
    }
    cancel("search");
    setBusy(false);
    clearResults();
    showHint(null);
    if (view.noMatch) { view.noMatch = null; render(false); }
  };
  /** @param {boolean} reveal open the list of results (typing) or only refresh them */
  const search = async (reveal) => {
    const q = input.value.trim();
    if (q.length < 2) return;
    clearTimeout(view.timer);
    setBusy(true);
    /** @type {SearchReply | null | typeof STALE} */
    let reply = null;
    try {
      reply = await latest("search", (signal) => api("/v1/search", { q, locale: i18n.locale, limit: 6 }, { signal }));
    } catch { /* shown below */ }
    if (reply === STALE) return;
    setBusy(false);
    if (!reply) {
      clearResults();
      showHint(t("search_error"));
      announce(t("search_error"));
      return;
    }
    showHint(null);
    fillList(reply);
    // Nothing found replaces the answer on screen (and offers a person); results bring it back.
    const noMatch = view.results.length ? null : reply;
    if (noMatch || view.noMatch) { view.noMatch = noMatch; render(false); }
    if (noMatch) {
      closeList();
      announce(t("no_results", { query: reply.query || q }));
    } else {
      if (reveal) openList();
      announce(tn("results_count", reply.total || view.results.length));
    }
  };
  /** @param {SearchReply} reply */
  const fillList = (reply) => {
    view.results = reply.results || [];
    list.textContent = "";
    view.active = -1;
    input.removeAttribute("aria-activedescendant");
    view.results.forEach((hit, i) => {
      const section = hit.section_title && hit.section_title !== hit.title ? el("span", { cls: "kbw-opt-sec", text: hit.section_title }) : null;
      list.append(el("li", {
        id: `kbw-o-${i}`, role: "option", "aria-selected": "false", cls: "kbw-opt", lang: hit.locale,
        onmousedown: (/** @type {Event} */ e) => e.preventDefault(),
        onclick: () => choose(i),
      }, [el("span", { cls: "kbw-opt-t", text: hit.title }), section, snippet(hit.snippet)]));
    });
    listFoot.textContent = `${tn("results_count", reply.total || view.results.length)} \u00b7 ${t("results_hint")}`;
  };
  const openList = () => {
    if (!view.results.length) return;
    drop.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };
  const closeList = () => {
    drop.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  };
  /** @param {number} i */
  const setActive = (i) => {
    const options = list.children;
    options[view.active]?.setAttribute("aria-selected", "false");
    options[view.active]?.classList.remove("kbw-active");
    view.active = i;
    const option = options[i];
    if (option) {
      option.setAttribute("aria-selected", "true");
      option.classList.add("kbw-active");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };
  /** @param {KeyboardEvent} e */
  const onKey = (e) => {
    const open = !drop.hidden;
    const count = view.results.length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!count) { search(true); return; }
      if (!open) { openList(); setActive(e.key === "ArrowDown" ? 0 : count - 1); return; }
      setActive(e.key === "ArrowDown" ? (view.active + 1) % count : view.active <= 0 ? count - 1 : view.active - 1);
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (open && view.active >= 0) choose(view.active);
      else if (input.value.trim()) ask({ q: input.value.trim(), articleId: null, via: "query" }, false);
    } else if (e.key === "Tab") {
      closeList();
    }
  };
  /** @param {number} i */
  const choose = (i) => ask({ q: input.value.trim(), articleId: view.results[i].article_id, via: "article" }, false);

  // ---- the conversation ----------------------------------------------------------------------------
  const top = () => session.turns[session.turns.length - 1];
  /** @param {{q: string, articleId: string | null, via: Turn["via"], option?: number}} asked @param {boolean} focus */
  const ask = (asked, focus) => {
    cancel("search");
    setBusy(false);
    clearTimeout(view.timer);
    closeList();
    view.noMatch = null;
    const last = top();
    if (last && !last.res) session.turns.pop(); // a question still loading gives way to the new one
    session.turns.push({ ...asked, res: null, failed: false, feedback: null });
    if (session.turns.length > 12) session.turns.shift();
    refresh(staleTurns(), focus);
  };
  /** @param {Turn} turn */
  const isStale = (turn) => !turn.res || turn.res.locale !== i18n.locale;
  /** The turns to fetch again before the top one can be shown in the panel's language: itself, and
   *  for a chosen option the turn that offered it (its label is shown with the answer). */
  const staleTurns = () => {
    const count = session.turns.length;
    const wanted = top()?.via === "option" && count > 1 ? [top(), session.turns[count - 2]] : [top()];
    return wanted.filter((turn) => turn && isStale(turn));
  };
  /** @param {Turn} turn @param {AbortSignal} signal @returns {Promise<Reply>} */
  const fetchTurn = (turn, signal) => (turn.via === "option" && !turn.articleId
    ? api("/v1/channels", { locale: i18n.locale }, { signal })
    : api("/v1/answer", { q: turn.q, locale: i18n.locale, article_id: turn.articleId }, { signal }));
  /**
   * Fetch ``turns`` in the panel's language and show the top one.
   * @param {Turn[]} turns
   * @param {boolean} focus move the focus to the answer's heading
   */
  const refresh = async (turns, focus) => {
    if (!turns.length) { render(focus); return; }
    const shown = top();
    for (const turn of turns) turn.failed = false;
    if (turns.includes(shown) && !shown.res) announce(t("loading_answer"));
    save();
    render(focus);
    /** @type {Reply[] | null | typeof STALE} */
    let replies = null;
    try {
      replies = await latest("answer", (signal) => Promise.all(turns.map((turn) => fetchTurn(turn, signal))));
    } catch { /* shown below */ }
    if (replies === STALE) return;
    turns.forEach((turn, i) => {
      if (replies) turn.res = replies[i];
      else turn.failed = true;
    });
    save();
    render(focus);
    const reply = shown.res;
    if (!replies || !reply) announce(t("answer_error"));
    else announce(reply.answer ? t("answer_ready", { title: reply.answer.title }) : reply.message || t("no_answer"));
  };
  /** The label of the option a turn was asked through, in the panel's language. @param {Turn} turn */
  const optionLabel = (turn) => {
    const parent = session.turns[session.turns.indexOf(turn) - 1];
    const offered = parent && !isStale(parent) ? parent.res?.follow_up?.options?.[turn.option ?? -1] : null;
    return offered && (offered.article_id || null) === turn.articleId ? offered.label : "";
  };

  /** @param {boolean} focus */
  const render = (focus) => {
    body.textContent = "";
    const turn = top();
    const heading = view.noMatch ? noMatch(view.noMatch) : turn ? conversation(turn) : intro();
    body.scrollTop = 0;
    if (focus && heading) heading.focus();
  };
  /** @param {string} text @param {boolean} [visible] */
  const cardHeading = (text, visible = true) => el("h3", { id: "kbw-a-title", cls: visible ? null : "kbw-sr", tabindex: "-1", text });
  const card = () => el("article", { cls: "kbw-card", "aria-labelledby": "kbw-a-title" });

  /** The empty state: a short explanation and the articles to browse. */
  const intro = () => {
    const locale = i18n.locale;
    const box = el("section", { cls: "kbw-topics", "aria-labelledby": "kbw-t-title", lang: locale });
    body.append(el("p", { cls: "kbw-intro", text: t("intro") }), box);
    once("/v1/articles", { locale }).then((reply) => {
      /** @type {{article_id: string, title: string}[]} */
      const articles = reply.articles || [];
      if (!articles.length || !box.isConnected || locale !== i18n.locale) return;
      box.append(el("h3", { id: "kbw-t-title", text: t("topics") }), el("ul", { cls: "kbw-topic-list" }, articles.slice(0, 8).map((a) => el("li", {}, [
        el("button", { type: "button", cls: "kbw-topic", text: a.title, onclick: () => ask({ q: "", articleId: a.article_id, via: "article" }, true) }),
      ]))));
    }, () => {});
    return null;
  };

  /** A search that found nothing: it says so, offers spellings, and the ways to reach a person. @param {SearchReply} reply */
  const noMatch = (reply) => {
    const query = reply.query || input.value.trim();
    const box = card();
    const heading = cardHeading(t("no_results", { query }));
    box.append(heading);
    const suggestions = (reply.suggestions || []).slice(0, 3);
    if (suggestions.length) {
      box.append(el("p", { cls: "kbw-sugg" }, [`${t("did_you_mean")} `, ...suggestions.map((spelling) => el("button", {
        type: "button", cls: "kbw-link", text: spelling,
        onclick: () => { input.value = session.query = spelling; save(); input.focus(); search(true); },
      }))]));
    }
    box.append(el("p", { cls: "kbw-muted", text: t("press_enter") }));
    const locale = i18n.locale;
    once("/v1/channels", { locale }).then((list) => {
      if (box.isConnected && locale === i18n.locale) box.append(contact(list.channels || []));
    }, () => {});
    body.append(box);
    return heading;
  };

  /** @param {Turn} turn */
  const conversation = (turn) => {
    const nav = el("div", { cls: "kbw-nav" });
    if (session.turns.length > 1) {
      nav.append(el("button", { type: "button", cls: "kbw-link kbw-back", onclick: back }, [el("span", { "aria-hidden": "true", text: "\u2190 " }), t("back")]));
    }
    const label = turn.via === "option" ? optionLabel(turn) : "";
    const asked = label ? t("you_chose", { label }) : turn.via === "query" ? t("you_asked", { query: turn.q }) : "";
    if (asked) nav.append(el("p", { cls: "kbw-asked", text: asked }));
    body.append(nav);
    const box = card();
    /** @type {HTMLElement} */
    let heading;
    if (turn.failed) {
      box.append((heading = cardHeading(t("answer_error"))), el("button", { type: "button", cls: "kbw-btn", text: t("retry"), onclick: () => refresh(staleTurns(), true) }));
    } else if (!turn.res) {
      box.setAttribute("aria-busy", "true");
      box.append((heading = cardHeading(t("loading_answer"), false)), el("div", { cls: "kbw-skel", "aria-hidden": "true" }, [el("i"), el("i"), el("i"), el("i")]));
    } else {
      heading = answerCard(box, turn, turn.res);
    }
    body.append(box);
    return heading;
  };

  /** @param {HTMLElement} box @param {Turn} turn @param {Reply} res */
  const answerCard = (box, turn, res) => {
    const answer = res.answer;
    const followUp = res.follow_up;
    const contactOnly = turn.via === "option" && !turn.articleId;
    box.lang = res.locale || i18n.locale;
    const heading = cardHeading(answer ? answer.title : contactOnly ? t("contact_heading") : t("no_answer_title"));
    box.append(heading);
    if (answer) {
      if (answer.summary) box.append(el("p", { cls: "kbw-summary", text: answer.summary }));
      if (answer.steps?.length) {
        box.append(el("h4", { text: t("steps") }), el("ol", { cls: "kbw-steps", role: "list" }, answer.steps.map((step) => el("li", { text: step }))));
      }
    }
    const message = res.message || (answer || contactOnly ? null : t("no_answer"));
    if (message && message !== followUp?.question) box.append(el("p", { cls: "kbw-msg", text: message }));
    const options = followUp?.options || [];
    if (followUp && options.length) {
      box.append(el("div", { cls: "kbw-fu", role: "group", "aria-labelledby": "kbw-fu-q" }, [
        el("p", { id: "kbw-fu-q", cls: "kbw-fu-q", text: followUp.question }),
        ...options.map((option, i) => el("button", {
          type: "button", cls: "kbw-chip", text: option.label,
          onclick: () => ask({ q: turn.q, articleId: option.article_id || null, via: "option", option: i }, true),
        })),
      ]));
    }
    const more = answer?.url && safeUrl(answer.url, ["https:", "http:"]);
    if (more) box.append(el("p", { cls: "kbw-more" }, [el("a", { href: more, target: "_blank", rel: "noopener", text: t("read_article") })]));
    const channels = answer?.channels?.length ? answer.channels : res.channels || [];
    if (channels.length) box.append(contact(channels, contactOnly));
    if (answer) box.append(feedback(turn, answer));
    return heading;
  };

  /** The ways to reach a person. @param {Channel[]} channels @param {boolean} [headed] the card's heading says it already */
  const contact = (channels, headed = false) => el("section", { cls: "kbw-contact", "aria-label": headed ? t("contact_heading") : null, "aria-labelledby": headed ? null : "kbw-c-title" }, [
    headed ? null : el("h4", { id: "kbw-c-title", text: t("contact_heading") }),
    el("ul", { cls: "kbw-channels" }, channels.map(channel)),
  ]);

  /** @param {Channel} c @param {number} i */
  const channel = (c, i) => {
    const value = typeof c.value === "string" ? c.value.trim() : "";
    const kind = c.kind in ICONS ? /** @type {keyof ICONS} */ (c.kind) : "other";
    /** @type {string | null} */
    let href = null;
    let action = "";
    const handle = kind === "twitter" ? /^@?(\w{1,15})$/.exec(value) : null;
    if (kind === "phone" && /^\+?[\d\s().-]{3,30}$/.test(value)) {
      href = `tel:${value.replace(/[^\d+]/g, "")}`;
      action = t("call", { number: value });
    } else if (kind === "chat" && value) {
      href = safeUrl(value, ["https:"]);
      action = t("open_chat");
    } else if (handle) {
      href = "https://x.com/" + handle[1];
      action = `@${handle[1]}`;
    }
    // Not configured (or unusable): where the help center explains this way of reaching a person.
    if (!href && c.url) {
      href = safeUrl(c.url, ["https:", "http:"]);
      action = t("channel_more");
    }
    const name = `kbw-ch-${i}`;
    return el("li", { cls: `kbw-ch kbw-ch-${kind}` }, [
      el("span", { cls: "kbw-ch-icon" }, [icon(ICONS[kind])]),
      el("div", { cls: "kbw-ch-text" }, [
        el("strong", { id: name, text: c.label }),
        c.description ? el("span", { text: c.description }) : null,
        href ? el("a", {
          cls: "kbw-btn kbw-btn-sm", href, target: href.startsWith("tel:") ? null : "_blank", rel: "noopener noreferrer",
          "aria-describedby": name, text: action,
        }) : null,
      ]),
    ]);
  };

  /** @param {Turn} turn @param {Answer} answer */
  const feedback = (turn, answer) => {
    if (turn.feedback != null) return el("p", { cls: "kbw-fb kbw-muted", text: t("thanks") });
    const box = el("div", { cls: "kbw-fb", role: "group", "aria-labelledby": "kbw-fb-q" }, [el("span", { id: "kbw-fb-q", text: t("helpful") })]);
    for (const helpful of [true, false]) {
      box.append(el("button", { type: "button", cls: "kbw-btn kbw-btn-ghost", text: t(helpful ? "yes" : "no"), onclick: () => {
        turn.feedback = helpful;
        save();
        api("/v1/feedback", {}, { body: { article_id: answer.article_id, locale: turn.res?.locale || i18n.locale, helpful, query: turn.q } })
          .catch(() => { /* feedback is best effort */ });
        const done = el("p", { cls: "kbw-fb kbw-muted", tabindex: "-1", text: t("thanks") });
        box.replaceWith(done);
        done.focus();
        announce(t("thanks"));
      } }));
    }
    return box;
  };

  const back = () => {
    session.turns.pop();
    refresh(staleTurns(), true);
  };

  /** The panel in another language: the same view, every string and the answer in that language. @param {string} tag */
  const switchLocale = async (tag) => {
    session.locale = tag;
    save();
    try {
      await loadStrings(tag);
    } catch {
      announce(t("answer_error"));
      return;
    }
    texts();
    if (drop.hidden) clearResults(); else search(true);
    refresh(staleTurns(), false);
  };

  // ---- open and close ----------------------------------------------------------------------------
  /** @param {boolean} focus */
  const show = (focus) => {
    session.open = true;
    save();
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    root.host.classList.add("kbw-open");
    if (focus) input.focus();
  };
  const hide = () => {
    session.open = false;
    save();
    cancel("search");
    setBusy(false);
    closeList();
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    root.host.classList.remove("kbw-open");
    launcher.focus();
  };

  input.addEventListener("input", () => { session.query = input.value; save(); schedule(); });
  input.addEventListener("keydown", onKey);
  input.addEventListener("blur", closeList);
  input.addEventListener("click", openList);
  // Escape closes the list of results if it is open, else the panel, wherever the focus is inside.
  panel.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    e.preventDefault();
    if (drop.hidden) {
      hide();
    } else {
      closeList();
      input.focus();
    }
  });
  root.append(panel);

  /** @param {LocaleInfo[] | null} locales @param {boolean} ok */
  const start = (locales, ok) => {
    input.value = session.query;
    if (ok) {
      texts();
      refresh(staleTurns(), false);
    } else {
      title.textContent = config.title || t("title");
      closeButton.setAttribute("aria-label", t("close"));
      panel.lang = "en";
      body.append(el("p", { cls: "kbw-msg", text: t("answer_error") }), el("button", { type: "button", cls: "kbw-btn", text: t("retry"), onclick: () => location.reload() }));
    }
    if (locales && locales.length > 1) {
      languages.append(...locales.map((l) => el("option", { value: l.code, lang: l.code, text: l.name })));
      languages.value = i18n.locale;
    } else {
      languages.hidden = true;
    }
    handoff.attach({ show, toggle: () => (panel.hidden ? show(true) : hide()) });
  };
  const wanted = session.locale || config.locale || navigator.languages?.[0] || navigator.language || "en";
  Promise.all([loadStrings(wanted), once("/v1/locales", {}).catch(() => null)]).then(
    ([, reply]) => start(reply?.locales || null, true),
    () => start(null, false),
  );
})();
