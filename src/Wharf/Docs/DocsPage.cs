using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Wharf.Docs;

/// <summary>The frame of every page of the docs site: one stylesheet, a top bar, the content.</summary>
internal static class DocsPage
{
    public const string Style = """
        :root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0969da; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
        header { display: flex; gap: 1.5rem; align-items: center; padding: .75rem 2rem; border-bottom: 1px solid var(--line); background: var(--soft); }
        header b { font-size: 1.05rem; }
        a { color: var(--accent); text-decoration: none; }
        a:hover { text-decoration: underline; }
        main { padding: 1.5rem 2rem 3rem; max-width: 1200px; }
        h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
        h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
        .kind { color: var(--muted); font-size: .9rem; text-transform: uppercase; letter-spacing: .04em; }
        .description { white-space: pre-wrap; margin: .75rem 0; }
        table { border-collapse: collapse; margin: .5rem 0; }
        th, td { text-align: left; padding: .35rem .8rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: var(--soft); }
        code, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
        pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 1rem; overflow: auto; }
        .passed { color: #1a7f37; } .warned { color: #9a6700; } .failed { color: #d1242f; }
        ul.links { padding-left: 1.2rem; }
        input#q { width: 100%; max-width: 420px; padding: .5rem .75rem; font-size: 1rem; border: 1px solid var(--line); border-radius: 6px; }
        .group h2 { margin-top: 1.5rem; }
        svg.lineage .edge { fill: none; stroke: #8c959f; stroke-width: 1.4; }
        svg.lineage rect { fill: #fff; stroke: #8c959f; }
        svg.lineage .model rect { fill: #ddf4ff; stroke: #54aeff; }
        svg.lineage .seed rect, svg.lineage .export rect { fill: #fff8c5; stroke: #d4a72c; }
        svg.lineage .source rect { fill: #f6f8fa; }
        svg.lineage .lake rect { fill: #fbefff; stroke: #c297ff; }
        svg.lineage .current rect { stroke: #d1242f; stroke-width: 2.5; }
        svg.lineage text { font: 12px system-ui, sans-serif; fill: var(--fg); }
        .graph { overflow: auto; border: 1px solid var(--line); border-radius: 6px; padding: .5rem; }
        """;

    /// <param name="root">The way back to the site's root from this page (<c>""</c> or <c>"../"</c>).</param>
    public static string Render(string title, string root, string content) => new StringBuilder()
        .Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .Append("<title>").Append(Encode(title)).Append(" · Wharf docs</title>\n")
        .Append("<link rel=\"stylesheet\" href=\"").Append(root).Append("style.css\">\n</head>\n<body>\n")
        .Append("<header><b>Wharf docs</b><a href=\"").Append(root).Append("index.html\">Index</a><a href=\"").Append(root).Append("lineage.html\">Lineage</a></header>\n")
        .Append("<main>\n").Append(content).Append("\n</main>\n</body>\n</html>\n")
        .ToString();

    /// <summary>Escapes markup, keeps letters of every script (and ·, →) as they are.</summary>
    public static string Encode(string? text) => Html.Encode(text ?? "");

    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);
}
