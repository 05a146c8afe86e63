// The sensor API of examples/windfarm: WINDFARM_SOURCE_PG (postgres://user:password@host:port/db)
// is its database; --urls (or ASPNETCORE_URLS) where it listens.
using Windfarm.SensorApi;

var source = Environment.GetEnvironmentVariable("WINDFARM_SOURCE_PG")
    ?? throw new InvalidOperationException("Set WINDFARM_SOURCE_PG to the sensor database's URL, e.g. postgres://postgres@127.0.0.1:5432/sensors.");
var app = await SensorApi.CreateAsync(args, PostgresUrl.ToConnectionString(source));
await app.RunAsync();
