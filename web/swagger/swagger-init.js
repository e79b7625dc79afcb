// Points Swagger UI at the OpenAPI document beneath the page's own address: /api/v1.2/openapi.json
// for the SFAPI page at /api/v1.2, /api/v2/openapi.json for the IRI page at /api/v2.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: window.location.pathname.replace(/\/+$/, "") + "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    docExpansion: "list",
  });
});
