/**
 * Start-up of the API documentation page (app/templates/swagger_ui.html): Swagger UI, vendored
 * under /static/vendor/ and loaded before this module, renders the OpenAPI document named by the
 * page. The page's own settings (config.OPENAPI_SWAGGER_UI_CONFIG) come last, as flask-smorest's
 * inline script let them.
 */
const container = document.getElementById("api-docs");

window.ui = window.SwaggerUIBundle({
  url: container.dataset.specUrl,
  domNode: container,
  ...JSON.parse(container.dataset.config),
});
