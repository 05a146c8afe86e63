using Wharf.IntegrationTests.Postgres;

// One server for the whole assembly, as in Wharf.IntegrationTests.
[assembly: AssemblyFixture(typeof(PostgresServer))]
