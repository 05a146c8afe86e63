using Wharf.IntegrationTests.Postgres;

// One server for the whole assembly; each test class takes it in its constructor and makes its
// own databases with CreateDatabaseAsync.
[assembly: AssemblyFixture(typeof(PostgresServer))]

// MariaDB for the MySQL source tests; missing, they fail under CI=true and are skipped elsewhere.
[assembly: AssemblyFixture(typeof(Wharf.IntegrationTests.MySql.MySqlServer))]

// moto's S3 server for the location tests; missing, they fail under CI=true and are skipped elsewhere.
[assembly: AssemblyFixture(typeof(Wharf.IntegrationTests.Locations.S3Server))]

// OpenSSH's sshd for the SFTP location tests; missing, they fail under CI=true and are skipped elsewhere.
[assembly: AssemblyFixture(typeof(Wharf.IntegrationTests.Locations.SftpServer))]

// RabbitMQ and NATS with JetStream for the message stream tests; missing, they fail under CI=true and are skipped elsewhere.
[assembly: AssemblyFixture(typeof(Wharf.IntegrationTests.Streams.RabbitMqServer))]
[assembly: AssemblyFixture(typeof(Wharf.IntegrationTests.Streams.NatsServer))]

// Apache with mod_dav for the WebDAV location tests; missing, they fail under CI=true and are skipped elsewhere.
[assembly: AssemblyFixture(typeof(Wharf.IntegrationTests.Locations.WebDavServer))]
[assembly: AssemblyFixture(typeof(Wharf.IntegrationTests.Locations.FtpServer))]
