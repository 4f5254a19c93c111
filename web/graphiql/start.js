// GraphiQL for the project office's API: queries and mutations over /graphql, subscriptions
// over /graphql/ws, all on this origin (the page's Content-Security-Policy allows nothing
// else). Signed in to the web interface in this browser, GraphiQL sends that sign-in's token;
// otherwise put one into the Headers tab: {"Authorization": "Bearer …"}.

(function start() {
  const token = localStorage.getItem("po.token");
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const socket = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql/ws`;
  const fetcher = GraphiQL.createFetcher({
    url: "/graphql",
    subscriptionUrl: socket,
    headers,
    wsConnectionParams: token ? { Authorization: `Bearer ${token}` } : {},
  });
  const signIn = token
    ? "# Запросы идут от вашего входа в веб-интерфейс."
    : '# Войдите в веб-интерфейс или добавьте во вкладке Headers: {"Authorization": "Bearer <токен>"}.';
  const defaultQuery = `# GraphQL API проектного офиса. Схема и описания — во вкладке «Docs» слева.
# Ctrl+Enter — выполнить запрос.
${signIn}
{
  me { fullName role }
}
`;
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultQuery,
      defaultEditorToolsVisibility: !token,
      shouldPersistHeaders: false,
    }),
  );
})();
