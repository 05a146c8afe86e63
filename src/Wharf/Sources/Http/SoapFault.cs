using System.Xml.Linq;

namespace Wharf.Sources.Http;

/// <summary>A SOAP Fault in words: 1.1's faultcode and faultstring, 1.2's Code (with subcodes) and Reason.</summary>
internal static class SoapFault
{
    /// <summary>E.g. <c>code soap:Client, "Unknown symbol: XYZ"</c>.</summary>
    public static string Describe(XElement fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        string? Child(XElement parent, string name) => parent.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim();

        // SOAP 1.1: unqualified faultcode/faultstring children.
        var code = Child(fault, "faultcode");
        var text = Child(fault, "faultstring");
        if (fault.Elements().FirstOrDefault(e => e.Name.LocalName == "Code") is { } code12)
        {
            // SOAP 1.2: Code/Value, Code/Subcode/Value…, Reason/Text (the first language).
            var values = code12.DescendantsAndSelf().Where(e => e.Name.LocalName == "Value").Select(v => v.Value.Trim());
            code = string.Join(" / ", values);
            text = fault.Elements().FirstOrDefault(e => e.Name.LocalName == "Reason")?.Elements().FirstOrDefault()?.Value.Trim();
        }

        return $"code {code ?? "(none)"}, \"{text ?? "(no reason given)"}\"";
    }
}
