using System.Collections.Immutable;
using System.Text;

namespace Wharf.Models.Templates;

/// <summary>
/// A parsed template in the subset of Jinja that dbt projects use. Parse once, render with the
/// functions and variables of a model (<c>ref</c>, <c>source</c>, <c>config</c>, <c>var</c>…).
/// A single newline at the end of the file is dropped, as Jinja does.
/// </summary>
internal sealed class Template
{
    private Template(TemplateSource source, ImmutableArray<TemplateNode> nodes)
    {
        Source = source;
        Nodes = nodes;
    }

    public TemplateSource Source { get; }

    public ImmutableArray<TemplateNode> Nodes { get; }

    /// <summary>Parses <paramref name="text"/>; syntax errors are <see cref="Projects.ProjectFileException"/>s naming <paramref name="file"/>, line and column.</summary>
    public static Template Parse(string file, string text)
    {
        text = text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
        var source = new TemplateSource(file, text);
        return new Template(source, TemplateParser.Parse(source));
    }

    public string Render(TemplateScope scope)
    {
        var output = new StringBuilder();
        new TemplateRenderer(Source).Render(Nodes, scope, output);
        return output.ToString();
    }
}
