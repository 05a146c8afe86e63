using System.Collections;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using System.Xml.XPath;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary>
/// One SOAP answer as the JSON page the REST machinery reads: <c>{"records": [...], "total": "…"}</c>.
/// Each record element becomes an object: its attributes and child elements fields (by local
/// name), every value its exact text (xsi:nil is null), nested elements objects, repeated
/// elements lists (and those named by <c>repeated:</c> always), so the nested rules of JSON apply. A SOAP Fault is refused with its code and text.
/// </summary>
internal static class SoapPage
{
    private static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    /// <exception cref="PagingException">The body is not XML, holds a SOAP Fault, or its total is missing; the message says what it holds.</exception>
    public static MemoryStream ToJson(Stream body, SoapRequestSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var document = Load(body);
        if (document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Fault" && e.Parent?.Name.LocalName == "Body") is { } fault)
        {
            throw new PagingException($"answered with a SOAP Fault: {SoapFault.Describe(fault)}");
        }

        var resolver = new XmlNamespaceManager(new NameTable());
        foreach (var (prefix, uri) in settings.Namespaces)
        {
            resolver.AddNamespace(prefix, uri);
        }

        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartArray(ProjectReader.SoapRecordsKey);
            foreach (var record in document.XPathSelectElements(settings.Records, resolver))
            {
                WriteObject(writer, record, settings.Repeated);
            }

            writer.WriteEndArray();
            if (settings.TotalPath is { } totalPath)
            {
                writer.WriteString(ProjectReader.SoapTotalKey, Total(document, totalPath, resolver));
            }

            writer.WriteEndObject();
        }

        json.Position = 0;
        return json;
    }

    private static XDocument Load(Stream body)
    {
        try
        {
            using var reader = XmlReader.Create(body, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            return XDocument.Load(reader);
        }
        catch (XmlException ex)
        {
            body.Position = 0;
            var start = new StreamReader(body).ReadToEnd();
            throw new PagingException($"its body is not XML ({ex.Message}): \"{HttpFailure.Snippet(start)}\". Expected a SOAP envelope");
        }
    }

    private static string? Total(XDocument document, string xpath, XmlNamespaceManager resolver) => document.XPathEvaluate(xpath, resolver) switch
    {
        double number => number.ToString(CultureInfo.InvariantCulture),
        string text => text.Trim(),
        IEnumerable nodes => nodes.Cast<XObject>().FirstOrDefault() switch
        {
            XElement element => element.Value.Trim(),
            XAttribute attribute => attribute.Value.Trim(),
            _ => null,
        },
        var other => other?.ToString(),
    };

    private static void WriteObject(Utf8JsonWriter writer, XElement element, ImmutableArray<string> repeated)
    {
        writer.WriteStartObject();
        foreach (var attribute in element.Attributes().Where(a => !a.IsNamespaceDeclaration && a.Name.Namespace != Xsi))
        {
            writer.WriteString(attribute.Name.LocalName, attribute.Value);
        }

        var children = element.Elements().ToList();
        foreach (var group in children.GroupBy(c => c.Name.LocalName, StringComparer.Ordinal))
        {
            writer.WritePropertyName(group.Key);
            if (group.Count() == 1 && !repeated.Contains(group.Key))
            {
                WriteValue(writer, group.First(), repeated);
                continue;
            }

            writer.WriteStartArray();
            foreach (var item in group)
            {
                WriteValue(writer, item, repeated);
            }

            writer.WriteEndArray();
        }

        if (children.Count == 0 && element.Attributes().Any(a => !a.IsNamespaceDeclaration) && element.Value.Length > 0)
        {
            // <price currency="EUR">12.30</price>: the text beside the attributes.
            writer.WriteString("text", element.Value);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, XElement element, ImmutableArray<string> repeated)
    {
        if ((string?)element.Attribute(Xsi + "nil") is "true" or "1")
        {
            writer.WriteNullValue();
        }
        else if (!element.HasElements && !element.Attributes().Any(a => !a.IsNamespaceDeclaration && a.Name.Namespace != Xsi))
        {
            writer.WriteStringValue(element.Value);
        }
        else
        {
            WriteObject(writer, element, repeated);
        }
    }
}
