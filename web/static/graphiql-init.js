// Starts the vendored GraphiQL on #graphiql (no inline script: CSP script-src 'self').
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var endpoint = root.getAttribute("data-endpoint") || "/graphql";
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: true,
    })
  );
})();
