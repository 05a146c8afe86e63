using System.Xml;
using System.Xml.XPath;
using YamlDotNet.RepresentationModel;

namespace Wharf.Projects;

/// <summary>The keys of <c>soap</c> connections and of their pipelines (the rest is read as for <c>http</c>).</summary>
internal sealed partial class ProjectReader
{
    /// <summary>Where the records converted from XML are found in the page JSON the REST machinery reads.</summary>
    internal const string SoapRecordsKey = "records";

    /// <summary>Where the total (from <c>total_path</c>, an XPath) is found in that JSON.</summary>
    internal const string SoapTotalKey = "total";

    private static readonly string[] SoapPipelineKeys =
        ["source", "endpoint", "envelope", "envelope_file", "action", "records", "namespaces", "repeated", "headers", "paginate", "incremental", "for_each", "table", "schema", "mode", "primary_key",
         "detect_deletes", "deletes", "change_detection", "track"];

    private SoapConnectionSettings ReadSoapConnection(YamlMap map, string context)
    {
        var version = map.String("version") ?? "1.1";
        return version is "1.1" or "1.2"
            ? new SoapConnectionSettings { Version = version, Action = map.String("action") }
            : throw Error(map.Get("version")!, $"'version' of {context} must be 1.1 or 1.2 (the SOAP version), not '{version}'.");
    }

    /// <summary><c>envelope:</c> or <c>envelope_file:</c> (with <c>${ENV}</c> expanded), <c>records:</c> and <c>namespaces:</c>, each XPath checked now.</summary>
    private SoapRequestSettings ReadSoapRequest(YamlMap pipeline, string context)
    {
        var envelope = pipeline.String("envelope");
        if (pipeline.Get("envelope_file") is { } fileNode)
        {
            var file = Path.GetFullPath(Path.Combine(root, Scalar(fileNode, $"'envelope_file' of {context}")));
            envelope = envelope is not null ? throw Error(fileNode, $"{context} has both 'envelope:' and 'envelope_file:'; keep one.")
                : File.Exists(file) ? interpolation.Expand(File.ReadAllText(file), problem => Error(fileNode, $"{file}: {problem}"))
                : throw Error(fileNode, $"the envelope file {file} of {context} does not exist.");
        }

        var namespaces = Pairs(pipeline.Map("namespaces", keys: null));
        var resolver = new XmlNamespaceManager(new NameTable());
        foreach (var (prefix, uri) in namespaces)
        {
            resolver.AddNamespace(prefix, uri);
        }

        var records = pipeline.String("records") ?? throw Error(pipeline.Node, $"{context} needs 'records:' (the XPath of the record elements, e.g. //m:Quote, with m declared under 'namespaces:').");
        CheckXPath(pipeline.Get("records")!, records, resolver, context);
        var total = pipeline.Map("paginate", keys: null)?.String("total_path");
        if (total is not null)
        {
            CheckXPath(pipeline.Map("paginate", keys: null)!.Get("total_path")!, total, resolver, context);
        }

        return new SoapRequestSettings
        {
            Envelope = envelope ?? throw Error(pipeline.Node, $"{context} needs 'envelope:' (the SOAP envelope to send, as a block) or 'envelope_file:'."),
            Action = pipeline.String("action"),
            Records = records,
            Namespaces = namespaces,
            Repeated = pipeline.StringList("repeated"),
            TotalPath = total,
        };
    }

    private void CheckXPath(YamlNode node, string xpath, XmlNamespaceManager resolver, string context)
    {
        try
        {
            XPathExpression.Compile(xpath, resolver);
        }
        catch (XPathException ex)
        {
            throw Error(node, $"'{xpath}' of {context} is not a valid XPath ({ex.Message}). Declare every prefix it uses under 'namespaces:'.");
        }
    }
}
