// The loader contract, for the type checker only (never served): what loader.js puts on
// `window.KBHelpWidget` for widget.js, which it loads on first use. Both files also share
// sessionStorage "kbw:session" ({open: boolean, ...}): a panel left open reopens on reload.

/** The embedder's data-* attributes on the loader's script tag ("" when absent). */
interface WidgetConfig {
  /** data-api-base, else the origin loader.js came from; no trailing slash. */
  apiBase: string;
  /** data-locale: the widget's language, else the customer's browser decides. */
  locale: string;
  /** data-title: the panel's title, used while the panel speaks the host page's language. */
  title: string;
  /** data-label: the launcher's words. */
  label: string;
}

/** What widget.js gives back once its panel is built and its strings are loaded. */
interface Panel {
  /** Open the panel; with `focus`, the search field takes the focus (a click, not a reload). */
  show(focus: boolean): void;
  /** Open it if closed, close it if open. */
  toggle(): void;
}

/** `window.KBHelpWidget`, set once by loader.js and frozen. */
interface Handoff {
  config: WidgetConfig;
  /** The shadow root the launcher lives in; widget.js adds the panel to it. */
  root: ShadowRoot;
  launcher: HTMLButtonElement;
  /** widget.js calls it once; loader.js shows the panel when widget.css has loaded too. */
  attach(panel: Panel): void;
}

/** Filled in by the server: the launcher's label in each language of the catalogs. */
declare const __KB_LAUNCHER_LABELS__: Record<string, string>;
