// The console's loader, named by index.html (a file, so that `script-src 'self'` allows it and no
// inline script is needed). It starts the WebAssembly module, which mounts the console in
// #console. `cargo xtask` gives the two files it names their content hash in their names and
// rewrites the names here; the service lets browsers keep those for a year, and this file for no time.

const module = fetch(new URL("./staff_console_bg.wasm", import.meta.url));
const { default: init } = await import("./staff_console.js");
await init({ module_or_path: module });
