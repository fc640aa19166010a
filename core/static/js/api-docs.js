// Starts Swagger UI on the element's data-spec-url (a file, not an inline script: see the CSP).
(function () {
  const element = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: element.dataset.specUrl,
    domNode: element,
    deepLinking: false, // its links sit inside the operation buttons: nested controls (WCAG 4.1.2)
    tryItOutEnabled: false,
  });
})();
