using System.Net.Http.Headers;
using System.Security;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary>
/// A SOAP pipeline's request: the envelope, with <c>{{ var }}</c> values XML-escaped, POSTed as
/// SOAP 1.1 (<c>text/xml</c> and a <c>SOAPAction</c> header) or 1.2 (<c>application/soap+xml</c>
/// with an <c>action</c> parameter). The page number stays a marker the paginator fills in.
/// </summary>
internal static class SoapRequest
{
    /// <summary>What <c>{{ page }}</c> becomes until the paginator writes the page number in its place.</summary>
    public const string PageMarker = "\u0001wharf-page\u0001";

    public static HttpRequestSpec Create(Uri url, SoapConnectionSettings connection, HttpRequestSettings request, IReadOnlyDictionary<string, string> variables, string what)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(request);
        var soap = request.Soap!;
        var values = new Dictionary<string, string>(variables, StringComparer.Ordinal);
        if (request.Paginate.InBody)
        {
            values[request.Paginate.PageParam] = PageMarker;
        }

        var body = Template.Render(soap.Envelope, values, v => v == PageMarker ? v : SecurityElement.Escape(v), $"The envelope of {what}");
        var action = soap.Action ?? connection.Action;
        var headers = new List<KeyValuePair<string, string>>();
        string contentType;
        if (connection.Version == "1.2")
        {
            var type = new MediaTypeHeaderValue("application/soap+xml") { CharSet = "utf-8" };
            if (action is not null)
            {
                type.Parameters.Add(new NameValueHeaderValue("action", $"\"{action}\""));
            }

            contentType = type.ToString();
        }
        else
        {
            contentType = "text/xml; charset=utf-8";
            headers.Add(KeyValuePair.Create("SOAPAction", $"\"{action}\""));
        }

        return new HttpRequestSpec(HttpMethod.Post, url) { Body = body, ContentType = contentType, Headers = headers, ReadsFaults = true };
    }
}
