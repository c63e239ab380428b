// The one script a school's page loads: <script type="module" src="…/consent-widget.js"></script>.
// It adds the widget's stylesheet (a file next to this one, so `style-src 'self'` allows it) and
// starts the WebAssembly module, which mounts a widget in every [data-consent-widget] element.
// `cargo xtask` gives the three files it names their content hash in their names and rewrites
// the names here; the service lets browsers keep those for a year, and this file for no time.

const here = new URL(".", import.meta.url);
if (!document.querySelector("link[data-consent-widget-style]")) {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("./consent-widget.css", here).href;
  link.setAttribute("data-consent-widget-style", "");
  document.head.append(link);
}
// Every widget's first question to its service is the school's form. Asked here, beside the
// module's download, it costs a phone no round trip of its own: the widget takes this pending
// answer for its first `GET /v1/form` (and verifies it as it verifies any answer) instead of
// asking again. Keys are the URLs the widget builds: its `data-endpoint` without a trailing `/`.
// The 20 s are the widget's own limit for one request.
const prefetched = new Map();
for (const element of document.querySelectorAll("[data-consent-widget]")) {
  const url = (element.dataset.endpoint || "").replace(/\/+$/, "") + "/v1/form";
  if (!prefetched.has(url)) {
    prefetched.set(url, fetch(url, { credentials: "omit", signal: AbortSignal.timeout(20000) }));
  }
}
globalThis.consentWidgetPrefetched = prefetched;
// The module's download starts now, beside the glue's: on a phone each is a round trip, and the
// module is most of the bytes. The glue accepts the pending response and compiles it streaming.
const module = fetch(new URL("./consent_widget_bg.wasm", here));
const { default: init } = await import("./consent_widget.js");
await init({ module_or_path: module });
