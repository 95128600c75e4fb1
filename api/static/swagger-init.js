// Start-up of Swagger UI for /docs (api/docs.py): a file, not an inline script, so that the
// Content-Security-Policy needs no 'unsafe-inline'.
"use strict";
(function () {
  const holder = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: holder.dataset.url,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis],
  });
})();
