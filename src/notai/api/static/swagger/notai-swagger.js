// Starts Swagger UI on this server's OpenAPI document. It lives in a file, not inline in the
// page, so that the page's Content-Security-Policy can forbid every inline script.
"use strict";

window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    // Relative, so the page also works behind a reverse proxy that serves notai under a prefix.
    url: "openapi/v3.json",
    dom_id: "#swagger-ui",
    // The key typed under "Authorize" stays in this tab's memory only: never written to
    // localStorage, sessionStorage or a cookie, and gone when the tab is closed or reloaded.
    persistAuthorization: false,
    // The default would send the whole document to a public validator on the internet.
    validatorUrl: null,
    // The API is read-only: only GET can be tried.
    supportedSubmitMethods: ["get"],
    deepLinking: false,
    displayOperationId: true,
  });
});
