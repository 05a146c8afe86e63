namespace Wharf.Projects;

/// <summary>
/// Where OpenLineage events go (<c>lineage: { openlineage: … }</c>): an HTTP endpoint that takes
/// them as Marquez does (<c>POST {url}/api/v1/lineage</c>), a file of one event per line, or both
/// (the file then also keeps what the endpoint could not take).
/// </summary>
/// <param name="Url">The server's base URL; null to write the file only.</param>
/// <param name="ApiKey">Sent as a bearer token. A secret: never printed.</param>
/// <param name="File">The absolute path of the NDJSON file (default <c>lineage/events.ndjson</c> in the project).</param>
/// <param name="Namespace">The job namespace (default: the project folder's name).</param>
internal sealed record OpenLineageSettings(string? Url, string? ApiKey, string File, string Namespace);
