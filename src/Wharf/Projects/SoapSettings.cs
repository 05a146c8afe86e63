using System.Collections.Immutable;

namespace Wharf.Projects;

/// <summary>A <c>soap</c> connection's SOAP keys; everything else (auth, TLS, retries, rate limits) is its <see cref="HttpConnectionSettings"/>.</summary>
internal sealed record SoapConnectionSettings
{
    /// <summary><c>1.1</c> (text/xml and a SOAPAction header) or <c>1.2</c> (application/soap+xml with an action parameter).</summary>
    public string Version { get; init; } = "1.1";

    /// <summary>The default SOAP action of the connection's pipelines; none when null.</summary>
    public string? Action { get; init; }
}

/// <summary>A SOAP pipeline's request and how its answer is read.</summary>
internal sealed record SoapRequestSettings
{
    /// <summary>The envelope template, <c>${ENV}</c> already expanded; <c>{{ var }}</c> is substituted per request, XML-escaped.</summary>
    public required string Envelope { get; init; }

    /// <summary>The action; the connection's when null.</summary>
    public string? Action { get; init; }

    /// <summary>The XPath of the record elements (<c>records:</c>).</summary>
    public required string Records { get; init; }

    /// <summary>The prefixes <c>records:</c> and <c>total_path</c> use (<c>namespaces:</c>).</summary>
    public ImmutableArray<KeyValuePair<string, string>> Namespaces { get; init; } = [];

    /// <summary>
    /// Element names (local names) that are lists in every record, even where they appear once
    /// (<c>repeated:</c>): XML does not say which elements may repeat, and a field must keep one kind.
    /// </summary>
    public ImmutableArray<string> Repeated { get; init; } = [];

    /// <summary>The XPath of the total number of pages (<c>paginate.total_path</c>); none when null.</summary>
    public string? TotalPath { get; init; }
}
