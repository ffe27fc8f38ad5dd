// Count uncaught errors in the page, so waits for diagrams end as soon as rendering failed.
window.__uncaughtErrors = 0;
window.addEventListener("error", () => { window.__uncaughtErrors++; });
window.addEventListener("unhandledrejection", () => { window.__uncaughtErrors++; });
