namespace Wharf.Projects;

internal sealed partial class ProjectReader
{
    /// <summary><c>lineage: { openlineage: { url, api_key, file, namespace } }</c>; null when absent.</summary>
    private OpenLineageSettings? ReadLineage(YamlMap? lineage)
    {
        if (lineage is null)
        {
            return null;
        }

        var open = new YamlMap(lineage.Node, this, "'lineage'", ["openlineage"]).Map("openlineage", ["url", "api_key", "file", "namespace"]);
        if (open is null)
        {
            return null;
        }

        var url = open.String("url");
        if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https")))
        {
            throw Error(open.Get("url")!, $"lineage.openlineage.url must be an http:// or https:// URL (e.g. http://localhost:5000, Marquez's API), not '{url}'.");
        }

        var file = Path.GetFullPath(Path.Combine(root, open.String("file") ?? Path.Combine("lineage", "events.ndjson")));
        return new OpenLineageSettings(url, open.String("api_key"), file, open.String("namespace") ?? new DirectoryInfo(root).Name);
    }
}
