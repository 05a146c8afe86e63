using Wharf.IntegrationTests.Postgres;

// One server for the whole assembly; each test class takes it in its constructor and makes its
// own databases with CreateDatabaseAsync.
[assembly: AssemblyFixture(typeof(PostgresServer))]
